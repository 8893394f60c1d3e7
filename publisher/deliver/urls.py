"""Delivery URLs: the one setting that says where mail goes, parsed into targets.

``outbox:var/outbox`` writes each message as a file in a Maildir;
``smtp://user:pass@host:587?starttls=1&pool=16&rate=200`` talks SMTP (``smtps://``
for implicit TLS). Several SMTP URLs spread the mail over several servers. Pure
functions: nothing here opens a socket or a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from publisher.errors import ConfigError

TlsMode = Literal["none", "starttls", "implicit"]

DEFAULT_POOL = 4
DEFAULT_TIMEOUT = 30.0
_HINT = (
    "set [delivery] url or PUBLISHER_DELIVERY_URL, e.g. outbox:var/outbox or "
    "smtp://user:pass@host:587?starttls=1&pool=16&rate=200"
)
_FLAGS = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


@dataclass(frozen=True)
class SmtpTarget:
    """One SMTP server and how to use it."""

    host: str
    port: int
    tls: TlsMode = "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # kept out of logs
    pool: int = DEFAULT_POOL  # concurrent connections, each sending many messages
    rate: float = 0.0  # messages per second over all its connections; 0 means no limit
    timeout: float = DEFAULT_TIMEOUT  # seconds to wait for any reply
    verify: bool = True  # check the server's TLS certificate
    helo: str | None = None  # the name we greet with; default: this host's name

    def __str__(self) -> str:
        """The server without its credentials, for logs and summaries."""
        scheme = "smtps" if self.tls == "implicit" else "smtp"
        return f"{scheme}://{self.host}:{self.port}"


@dataclass(frozen=True)
class OutboxTarget:
    """A Maildir that receives one ``.eml`` file per message."""

    path: Path

    def __str__(self) -> str:
        return f"outbox:{self.path}"


Target = SmtpTarget | OutboxTarget


def parse_delivery_urls(urls: Iterable[str], base_dir: Path) -> tuple[Target, ...]:
    """Parse configured URLs; relative outbox paths are taken from ``base_dir``.

    Either one outbox or one or more SMTP servers: mixing them would make some
    subscribers' mail real and others' a file, which is never what anyone wants.
    """
    targets = tuple(parse_delivery_url(url, base_dir) for url in urls)
    if not targets:
        raise ConfigError("no delivery URL is configured", _HINT)
    outboxes = [t for t in targets if isinstance(t, OutboxTarget)]
    if outboxes and len(targets) > 1:
        raise ConfigError(
            "an outbox cannot be combined with other delivery URLs",
            "configure either one outbox: URL or one or more smtp:// URLs",
        )
    return targets


def parse_delivery_url(url: str, base_dir: Path) -> Target:
    """Parse one delivery URL into its target."""
    if url.startswith("outbox:"):
        raw = unquote(url.removeprefix("outbox:").removeprefix("//"))
        if not raw:
            raise ConfigError(f"delivery URL {url!r} names no directory", _HINT)
        path = Path(raw).expanduser()
        return OutboxTarget(path if path.is_absolute() else base_dir / path)
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ConfigError(f"delivery URL {_redact(url)!r} has an unknown scheme", _HINT)
    try:
        port = parts.port
    except ValueError as e:
        raise ConfigError(f"delivery URL {_redact(url)!r} has an invalid port", _HINT) from e
    if not parts.hostname:
        raise ConfigError(f"delivery URL {_redact(url)!r} names no host", _HINT)
    options = _options(url, parts.query)
    implicit = parts.scheme == "smtps"
    starttls = _flag(url, options, "starttls", default=False)
    if implicit and starttls:
        raise ConfigError(
            f"delivery URL {_redact(url)!r} asks for both implicit TLS and STARTTLS",
            "use smtps:// for implicit TLS (port 465) or smtp://...?starttls=1 (port 587)",
        )
    tls: TlsMode = "implicit" if implicit else "starttls" if starttls else "none"
    return SmtpTarget(
        host=parts.hostname,
        port=port or (465 if implicit else 587 if starttls else 25),
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        pool=int(_number(url, options, "pool", DEFAULT_POOL, minimum=1, whole=True)),
        rate=_number(url, options, "rate", 0.0, minimum=0, whole=False),
        timeout=_number(url, options, "timeout", DEFAULT_TIMEOUT, minimum=0.1, whole=False),
        verify=_flag(url, options, "verify", default=True),
        helo=options.pop("helo", None),
    )


_KNOWN = ("starttls", "pool", "rate", "timeout", "verify", "helo")


def _options(url: str, query: str) -> dict[str, str]:
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(options) - set(_KNOWN))
    if unknown:
        raise ConfigError(
            f"delivery URL {_redact(url)!r} has an unknown option {unknown[0]!r}",
            f"known options are {', '.join(_KNOWN)}",
        )
    return options


def _flag(url: str, options: dict[str, str], key: str, *, default: bool) -> bool:
    if key not in options:
        return default
    value = options.pop(key).lower()
    if value not in _FLAGS:
        raise ConfigError(f"delivery URL {_redact(url)!r}: {key}={value!r} is not 0 or 1")
    return _FLAGS[value]


def _number(
    url: str, options: dict[str, str], key: str, default: float, *, minimum: float, whole: bool
) -> float:
    if key not in options:
        return default
    try:
        value = float(options.pop(key))
    except ValueError:
        value = None
    if value is None or value < minimum or (whole and not value.is_integer()):
        kind = "a whole number" if whole else "a number"
        raise ConfigError(
            f"delivery URL {_redact(url)!r}: {key} must be {kind} of at least {minimum:g}"
        )
    return value


def _redact(url: str) -> str:
    """The URL with its password hidden: error messages end up in logs."""
    from publisher.config import redact_url  # config imports this module

    return redact_url(url)
