"""Signed links: one unguessable token per (subscriber, purpose), verifiable without a lookup table.

A token carries the subscriber's id and a short fingerprint of their address,
signed with HMAC-SHA256 under the configured secret, salted by its purpose:
a confirm token never unsubscribes, and a token for one subscriber never
works for another (not even for a later subscriber who reuses an id after the
database was rebuilt). Rotating the secret: set a new ``[security] secret``
and move the old one to ``old_secrets``; links already mailed keep working.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

from publisher.config import Settings
from publisher.errors import ConfigError, TokenError

Purpose = Literal["confirm", "unsubscribe", "preferences"]
PURPOSES: tuple[Purpose, ...] = ("confirm", "unsubscribe", "preferences")
SECRET_FILE = "secret.key"


@dataclass(frozen=True)
class TokenClaim:
    """What a valid token says: which subscriber, the fingerprint of their address, and when.

    ``issued_at`` is the signing time in whole seconds since the epoch.
    """

    subscriber_id: int
    fingerprint: str
    issued_at: int = 0

    def matches(self, email: str) -> bool:
        """Whether the token was made for the subscriber who now has ``email``."""
        return secrets.compare_digest(self.fingerprint, fingerprint(email))


class Tokens:
    """Makes and reads the tokens of every purpose under one set of secrets."""

    def __init__(self, keys: Sequence[str], *, confirm_max_age: int | None = None) -> None:
        """``keys``: the current secret first, then older ones still accepted."""
        if not keys or not keys[0]:
            raise ConfigError("no secret for signed links", "set [security] secret")
        # itsdangerous signs with the last key and accepts every one of them.
        ordered = list(reversed(keys))
        self._serializers = {
            purpose: URLSafeTimedSerializer(
                ordered,
                salt=f"publisher.subscribers.{purpose}",
                signer_kwargs={"digest_method": hashlib.sha256},
            )
            for purpose in PURPOSES
        }
        # One signer per purpose, made once: building it per token (as dumps does)
        # was a fifth of a digest's cost per recipient.
        self._signers = {purpose: s.make_signer() for purpose, s in self._serializers.items()}
        self._max_age: dict[Purpose, int | None] = {
            "confirm": confirm_max_age,
            "unsubscribe": None,  # a link in an old digest must still let people leave
            "preferences": None,
        }

    @classmethod
    def from_settings(cls, settings: Settings) -> Tokens:
        """Tokens under the configured secret, or the generated one in the data directory."""
        return cls(
            [current_secret(settings), *settings.security.old_secrets],
            confirm_max_age=settings.subscribers.confirm_days * 86400,
        )

    def make(self, subscriber_id: int, email: str, purpose: Purpose) -> str:
        """A URL-safe token for this subscriber and purpose."""
        # What the serializer's dumps makes of [id, fingerprint] (compact JSON, too
        # short to compress, base64), written directly; read() loads it as usual.
        payload = base64_encode(f'[{int(subscriber_id)},"{fingerprint(email)}"]')
        return self._signers[purpose].sign(payload).decode("ascii")

    def read(self, token: str, purpose: Purpose) -> TokenClaim:
        """The claim in ``token``, or a TokenError if it is forged, expired or for another purpose."""
        try:
            data, signed = self._serializers[purpose].loads(
                token, max_age=self._max_age[purpose], return_timestamp=True
            )
        except SignatureExpired as e:
            raise TokenError(
                "this link has expired", "subscribe again to get a new confirmation link"
            ) from e
        except BadSignature as e:
            raise TokenError("this link is not valid", "use the link from your latest email") from e
        match data:
            case [int() as subscriber_id, str() as print_]:
                return TokenClaim(subscriber_id, print_, int(signed.timestamp()))
        raise TokenError("this link is not valid", "use the link from your latest email")


def fingerprint(email: str) -> str:
    """A short digest of the address, so a token dies when its id changes hands."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]


def current_secret(settings: Settings) -> str:
    """The configured ``[security] secret``, or the one generated in the data directory."""
    return settings.security.secret or stored_secret(settings.data.dir / SECRET_FILE)


def stored_secret(path: Path) -> str:
    """The secret kept in ``path``, created (mode 0600) with a random value on first use.

    Embedded defaults must work without configuration, yet links must survive a
    restart, so the generated secret is persisted. Creation goes through a
    private temporary file and a hard link, so concurrent first runs agree.
    """
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
        # If another process created it first, use theirs.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink()
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    try:
        value = path.read_text(encoding="ascii").strip()
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path} is not a secret written by the publisher") from e
    if not value:
        raise ConfigError(f"{path} is empty", "delete it to generate a new secret")
    return value
