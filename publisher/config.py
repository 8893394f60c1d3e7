"""Settings: one explicit object, read from the environment, then a TOML file, then defaults.

Every key is optional. A key ``key`` in section ``[section]`` of ``publisher.toml``
can also be set with the environment variable ``PUBLISHER_<SECTION>_<KEY>``, which
wins over the file; that is how containers and tests configure the publisher.

The file is found through ``--config PATH``, then ``$PUBLISHER_CONFIG``, then
``./publisher.toml``. Unknown sections and keys are refused, so a typo never
silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher.errors import ConfigError

ENV_PREFIX = "PUBLISHER_"
DEFAULT_FILE = "publisher.toml"


@dataclass(frozen=True)
class DataSettings:
    """Where the publisher keeps its files."""

    dir: Path = Path("var")


@dataclass(frozen=True)
class DatabaseSettings:
    """Any SQLAlchemy URL; empty means a SQLite file in the data directory."""

    url: str = ""


@dataclass(frozen=True)
class PublicationSettings:
    """Defaults for every publication in the archive."""

    timezone: str = "Asia/Shanghai"
    language: str = "zh-CN"


@dataclass(frozen=True)
class SiteSettings:
    """The static web archive and its feeds."""

    base_url: str = "http://localhost:8000/"
    dir: Path | None = None  # default: <data dir>/site
    feed_issues: int = 10

    def __post_init__(self) -> None:
        # Links are joined onto base_url, which only works when it ends with a slash.
        if not self.base_url.endswith("/"):
            object.__setattr__(self, "base_url", self.base_url + "/")


@dataclass(frozen=True)
class SecuritySettings:
    """Secrets for signed links; rotate by moving the old key to ``old_secrets``."""

    secret: str = ""
    old_secrets: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmailSettings:
    """How digests look as mail: sender, list identity, signing."""

    from_address: str = "newsletter@localhost"
    from_name: str = ""  # default: the publication's name
    reply_to: str = ""
    domain: str = ""  # for Message-ID and List-Id; default: the sender's domain
    unsubscribe_mailto: str = ""  # default: unsubscribe@<domain>
    full_text: bool = False  # whole articles in the digest instead of ledes
    dkim_selector: str = ""
    dkim_key_file: Path | None = None

    @property
    def mail_domain(self) -> str:
        """The domain used in Message-ID, List-Id and the mailto unsubscribe address."""
        return self.domain or self.from_address.rpartition("@")[2] or "localhost"


@dataclass(frozen=True)
class SubscribersSettings:
    """The audience: when a failing address is given up, how long a confirmation link lives."""

    bounce_threshold: int = 3  # hard bounces before a subscriber becomes 'bounced'
    confirm_days: int = 7  # lifetime of a double opt-in confirmation link


@dataclass(frozen=True)
class ScheduleSettings:
    """The publishing cycle: when the service picks up issues and sends digests."""

    cron: str = "0 7 * * *"  # every publication's cycle, in the publication's time zone
    # Publications with a cycle of their own, e.g. {"新即墨" = "0 7 * * 1-5"}.
    crons: dict[str, str] = field(default_factory=dict)
    grace_seconds: int = 3600  # a tick missed while the service was down still runs within this
    weekly_day: str = "mon"  # when weekly subscribers get the week's digest
    inbox: Path | None = None  # default: <data dir>/inbox


@dataclass(frozen=True)
class ServerSettings:
    """The HTTP service."""

    host: str = "127.0.0.1"
    port: int = 8000
    language: str = "zh-CN"  # the catalog of the subscribe and admin pages
    subscribe_rate: int = 5  # subscribe requests a client may make per 10 minutes
    # Proxies whose X-Forwarded-For names the client (rate limits count per client).
    forwarded_allow_ips: str = "127.0.0.1"
    # How long a stop (SIGTERM) waits for requests, ticks and sends to reach a safe point.
    shutdown_seconds: float = 10.0
    # Host names the service answers to (Host header), e.g. ["news.example.cn"];
    # "*.example.cn" matches subdomains, "*" anything. Empty: the host of [site] base_url
    # and the loopback names.
    allowed_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdminSettings:
    """The editors' console."""

    user: str = "editor"
    password_hash: str = ""  # argon2 hash: make one with 'publisher admin-password'
    max_upload_mb: float = 20.0  # the largest issue file the console accepts


@dataclass(frozen=True)
class IngestSettings:
    """Issue files coming in, from any door (command line, inbox, console)."""

    max_mb: float = 5.0  # the largest issue file read; a 24-page paper's text is well under 1 MB

    @property
    def max_bytes(self) -> int:
        """``max_mb`` in bytes."""
        return round(self.max_mb * 1024 * 1024)


@dataclass(frozen=True)
class DeliverySettings:
    """Where digests go and how hard delivery tries; README 'Delivery' has the URL syntax."""

    url: tuple[str, ...] = ()  # empty: the outbox Maildir <data dir>/outbox
    batch_size: int = 500  # ledger rows read per query
    lease_seconds: float = 60.0  # a sender silent this long is presumed dead; another may resume
    retry_seconds: float = 60.0  # first retry of a deferred message; the pause doubles each time
    retry_max_seconds: float = 3600.0  # the longest pause between two retries
    lifetime_seconds: float = 86400.0  # still deferred this long after the send began: failed
    wait_seconds: float = 900.0  # how long one run waits for retries before it returns


# Keys whose values an error message must never show: they hold a secret, or a URL
# that may carry a password. Error messages end up in logs and terminals.
SECRETS = frozenset(
    {
        ("security", "secret"),
        ("security", "old_secrets"),
        ("admin", "password_hash"),
        ("database", "url"),
        ("delivery", "url"),
    }
)

SECTIONS: dict[str, type] = {
    "data": DataSettings,
    "database": DatabaseSettings,
    "publication": PublicationSettings,
    "site": SiteSettings,
    "security": SecuritySettings,
    "email": EmailSettings,
    "schedule": ScheduleSettings,
    "server": ServerSettings,
    "admin": AdminSettings,
    "ingest": IngestSettings,
    "subscribers": SubscribersSettings,
    "delivery": DeliverySettings,
}


@dataclass(frozen=True)
class Settings:
    """All settings, one attribute per section."""

    data: DataSettings = field(default_factory=DataSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    publication: PublicationSettings = field(default_factory=PublicationSettings)
    site: SiteSettings = field(default_factory=SiteSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    admin: AdminSettings = field(default_factory=AdminSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    subscribers: SubscribersSettings = field(default_factory=SubscribersSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    source: Path | None = None  # the file these settings came from, if any

    @property
    def database_url(self) -> str:
        """The configured URL, or a SQLite file inside the data directory."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{self.data.dir / 'publisher.db'}"

    @property
    def site_dir(self) -> Path:
        """Where static pages and feeds are written."""
        return self.site.dir if self.site.dir is not None else self.data.dir / "site"

    @property
    def delivery_urls(self) -> tuple[str, ...]:
        """The configured delivery URLs, or the outbox Maildir inside the data directory."""
        return self.delivery.url or (f"outbox:{self.data.dir / 'outbox'}",)

    @property
    def inbox_dir(self) -> Path:
        """Where new issue files are dropped for the publishing cycle to pick up."""
        return self.schedule.inbox if self.schedule.inbox is not None else self.data.dir / "inbox"

    @property
    def timezone(self) -> ZoneInfo:
        """The publication's time zone as an object."""
        return ZoneInfo(self.publication.timezone)


def load_settings(
    path: str | Path | None = None, env: typing.Mapping[str, str] | None = None
) -> Settings:
    """Read settings from ``path`` (or the usual places), overridden by the environment."""
    env = os.environ if env is None else env
    file = _find_file(path, env)
    raw: dict[str, Any] = {}
    if file is not None:
        try:
            raw = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"cannot read configuration file {file}: {e}") from e
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{file} is not valid TOML: {e}", "fix the syntax error") from e

    unknown = set(raw) - set(SECTIONS)
    if unknown:
        raise ConfigError(
            f"{file}: unknown section [{sorted(unknown)[0]}]",
            f"known sections are {', '.join(sorted(SECTIONS))}",
        )
    sections = {
        name: _load_section(name, cls, raw.get(name, {}), env, file)
        for name, cls in SECTIONS.items()
    }
    settings = Settings(**sections, source=file)
    _validate(settings)
    return settings


def _find_file(path: str | Path | None, env: typing.Mapping[str, str]) -> Path | None:
    if path is not None or env.get("PUBLISHER_CONFIG"):
        chosen = Path(path if path is not None else env["PUBLISHER_CONFIG"])
        if not chosen.is_file():
            raise ConfigError(
                f"configuration file {chosen} does not exist",
                "check --config or $PUBLISHER_CONFIG",
            )
        return chosen
    default = Path(DEFAULT_FILE)
    return default if default.is_file() else None


def _load_section(
    name: str, cls: type, table: Any, env: typing.Mapping[str, str], file: Path | None
) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: [{name}] must be a table of keys")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(table) - set(fields)
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(
            f"{file}: unknown key '{key}' in [{name}]",
            f"known keys are {', '.join(sorted(fields))}",
        )
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for key in fields:
        env_name = f"{ENV_PREFIX}{name.upper()}_{key.upper()}"
        if env_name in env:
            values[key] = _cast(
                env[env_name], hints[key], env_name, from_env=True, secret=(name, key) in SECRETS
            )
        elif key in table:
            values[key] = _cast(
                table[key],
                hints[key],
                f"[{name}] {key}",
                from_env=False,
                secret=(name, key) in SECRETS,
            )
    return cls(**values)


def _cast(value: Any, hint: Any, where: str, *, from_env: bool, secret: bool = False) -> Any:
    """Convert a value from TOML or the environment to the field's declared type.

    The refusal names the key and, unless the key is one of ``SECRETS``, the value.
    """
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if (from_env and value == "") or value is None:
            return None
        hint = options[0]
    try:
        if hint is bool:
            return _cast_bool(value)
        if hint is int and not isinstance(value, bool):
            return int(value)
        if hint is float and not isinstance(value, bool):
            return float(value)
        if hint is Path:
            return Path(str(value))
        if hint is str and isinstance(value, str):
            return value
        if typing.get_origin(hint) is dict:
            return _cast_dict(value)
        if typing.get_origin(hint) is tuple:
            if isinstance(value, str):
                value = [part for part in value.replace(",", " ").split() if part]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return tuple(value)
    except ValueError:
        pass
    if secret:
        raise ConfigError(
            f"{where} is not a valid {_type_name(hint)} (its value is secret, so not shown)"
        )
    raise ConfigError(f"{where} has the value {value!r}, which is not a valid {_type_name(hint)}")


def _cast_dict(value: Any) -> dict[str, str]:
    """A TOML table, or ``name=value;name=value`` from the environment."""
    if isinstance(value, str):
        pairs = [item.partition("=") for item in value.split(";") if item.strip()]
        if any(not sep for _, sep, _ in pairs):
            raise ValueError(value)
        value = {k.strip(): v.strip() for k, _, v in pairs}
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    raise ValueError(value)


def _cast_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(value)


def _type_name(hint: Any) -> str:
    if typing.get_origin(hint) is tuple:
        return "list of strings"
    if typing.get_origin(hint) is dict:
        return "table of strings"
    return {bool: "boolean", int: "integer", float: "number", Path: "path", str: "string"}.get(
        hint, str(hint)
    )


def _validate(settings: Settings) -> None:
    try:
        ZoneInfo(settings.publication.timezone)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ConfigError(
            f"unknown time zone {settings.publication.timezone!r}",
            "use an IANA name such as Asia/Shanghai",
        ) from e
    if not settings.site.base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"site base_url {settings.site.base_url!r} is not an http(s) URL",
            "set [site] base_url or PUBLISHER_SITE_BASE_URL, e.g. https://news.example.cn/",
        )
    _validate_crons(settings.schedule)
    if settings.schedule.weekly_day not in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        raise ConfigError(
            f"[schedule] weekly_day {settings.schedule.weekly_day!r} is not a day",
            "use one of mon, tue, wed, thu, fri, sat, sun",
        )
    if settings.site.feed_issues < 1:
        raise ConfigError("[site] feed_issues must be at least 1")
    _validate_database(settings.database.url)
    _validate_delivery(settings)
    if settings.server.shutdown_seconds <= 0:
        raise ConfigError("[server] shutdown_seconds must be more than 0")
    if settings.subscribers.bounce_threshold < 1:
        raise ConfigError("[subscribers] bounce_threshold must be at least 1")
    if settings.subscribers.confirm_days < 1:
        raise ConfigError("[subscribers] confirm_days must be at least 1")


def _validate_crons(schedule: ScheduleSettings) -> None:
    from publisher.cron import cron_trigger, crontab_weekdays

    for name, expression in [("cron", schedule.cron), *schedule.crons.items()]:
        try:
            cron_trigger(expression, ZoneInfo("UTC"))
        except ValueError as e:
            raise ConfigError(
                f"[schedule] {name} = {expression!r} is not a cron expression ({e})",
                "write five fields, e.g. '0 7 * * 1-5' for 07:00 on weekdays",
            ) from e
        days = crontab_weekdays(expression.split()[4])
        if days != "*" and schedule.weekly_day not in days.split(","):
            raise ConfigError(
                f"[schedule] {name} = {expression!r} never runs on weekly_day "
                f"{schedule.weekly_day!r}, so weekly subscribers would get nothing",
                "pick a weekly_day the cycle runs on",
            )


def _validate_database(url: str) -> None:
    """Refuse a database URL SQLAlchemy cannot read, without showing its password."""
    if not url:
        return
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(url)
    except (ArgumentError, ValueError) as e:
        # ValueError: a port that is not a number (SQLAlchemy lets int() fail);
        # its message shows the port only.
        raise ConfigError(
            f"[database] url {redact_url(url)!r} is not a valid URL",
            "use e.g. sqlite:///var/publisher.db or postgresql+psycopg://user@host:5432/db",
        ) from e


def _validate_delivery(settings: Settings) -> None:
    from publisher.deliver.urls import parse_delivery_urls

    try:
        parse_delivery_urls(settings.delivery_urls, Path.cwd())
    except ValueError as e:
        # urlsplit refuses some URLs outright, e.g. a '[' in the password ("Invalid
        # IPv6 URL"); its message is safe but says nothing about which URL.
        bad = next((u for u in settings.delivery_urls if not _splits(u)), "")
        raise ConfigError(
            f"[delivery] url {redact_url(bad)!r} is not a valid URL ({e})",
            "percent-encode special characters in the user name and password, e.g. '[' as %5B",
        ) from None
    delivery = settings.delivery
    if delivery.batch_size < 1:
        raise ConfigError("[delivery] batch_size must be at least 1")
    for key in ("lease_seconds", "retry_seconds", "retry_max_seconds", "lifetime_seconds"):
        if getattr(delivery, key) <= 0:
            raise ConfigError(f"[delivery] {key} must be more than 0")
    if delivery.wait_seconds < 0:
        raise ConfigError("[delivery] wait_seconds must not be negative")


def _splits(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        urlsplit(url).port  # noqa: B018 - reading the port is what may fail
    except ValueError:
        return False
    return True


def redact_url(url: str) -> str:
    """``url`` with the password in its user part replaced by ``***``.

    Plain string work rather than ``urlsplit``, so that it also hides the
    password of a URL too broken to parse. The user part is taken to end at
    the last '@', since an unencoded password may hold '/', '?', '#' or '@':
    a URL with '@' further on is hidden too much, never too little.
    """
    scheme, sep, rest = url.partition("://")
    user_info, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in user_info:
        return url
    user = user_info.partition(":")[0]
    return f"{scheme}://{user}:***@{host}"
