"""The one place where mail is built: a digest or a confirmation, as the bytes that go out.

Messages are assembled byte by byte rather than through ``email.message``:
per recipient only the personal values, four headers and the base64 of the
two bodies change, which keeps building cheap, and no header passes through
the standard library's folding (which mangles long encoded display names and
long URLs). Every header is pure ASCII: non-ASCII text is RFC 2047 encoded,
because mail goes out without SMTPUTF8. Nothing from a subscriber reaches a
header without being checked, so no header can be injected through a name,
an address or a subject.
"""

from __future__ import annotations

import binascii
import datetime as dt
import functools
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.charset import BASE64, Charset
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, quote
from typing import Literal

from publisher.config import Settings
from publisher.digest import Digest, Template, escape_html
from publisher.errors import ConfigError, ValidationError
from publisher.render.text import clean

Format = Literal["html", "text"]

# Headers the DKIM signature covers. RFC 8058 requires List-Unsubscribe and
# List-Unsubscribe-Post among them; listing Reply-To also when absent stops
# anyone adding one on the way.
SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"reply-to",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"mime-version",
    b"content-type",
)

# A dot-atom address, as ``subscribers.addresses`` stores it: no quoting, no
# spaces, nothing that ends a header or an address list.
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
# Printable ASCII without space, '"', '<' or '>': what may sit inside <...> in List-Unsubscribe.
_URL = re.compile(r"https?://[!#-;=?-~]+")
_ID_PART = re.compile(r"[A-Za-z0-9._-]+")
_SPECIALS = re.compile(r'[][\\()<>@,:;".]')
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")

# Base64 for every encoded word: Chinese is shorter in it than in Q, and B words
# are valid anywhere a phrase is, which Q words are not.
_UTF8 = Charset("utf-8")
_UTF8.header_encoding = BASE64
# A folded line holds one space and one encoded word, which RFC 2047 caps at 75.
_ENCODED_LINE = 76
# Bytes per encoded word: 45 bytes make 60 base64 characters, 72 with "=?utf-8?b?" and "?=".
_WORD_BYTES = 45
# Raw bytes per 76-character base64 line (RFC 2045).
_LINE_BYTES = 57

CONFIRM_SUBJECT = "请确认订阅《{publication}》"
CONFIRM_TEXT = """\
{greeting}

您（或有人使用您的邮箱地址）申请订阅《{publication}》电子版。请打开下面的链接确认订阅：

{confirm_url}

如果这不是您本人的申请，请忽略本邮件：未经确认，我们不会再给您发送任何邮件。

《{publication}》
"""


class MessageBuilder:
    """Builds one issue's digest for each recipient; everything per issue is done once here."""

    def __init__(self, settings: Settings, digest: Digest) -> None:
        self.digest = digest
        self.sender = checked_address(settings.email.from_address)
        self.domain = settings.email.mail_domain
        self._signer = DkimSigner.from_settings(settings)
        self._unsubscribe_mailto = checked_address(
            settings.email.unsubscribe_mailto or f"unsubscribe@{self.domain}"
        )
        list_id = f"{digest.publication_slug}.{self.domain}"
        self._identity = _identity_headers(settings, digest.publication, digest.subject)
        self._list_id = f"{encode_phrase(digest.publication)} <{_checked_id(list_id)}>"
        self._boundary = _boundary()
        crlf = digest.with_crlf()
        self._html = _EncodedBody(crlf.html, escape_html)
        self._text = _EncodedBody(crlf.text, str)

    def render(
        self,
        values: Mapping[str, str],
        *,
        format: Format = "html",
        message_id: str | None = None,
        date: dt.datetime | None = None,
    ) -> bytes:
        """The digest for one recipient, ready for SMTP (CRLF, 7-bit, DKIM-signed when configured).

        ``values`` holds name, email, unsubscribe_url and preferences_url (see
        ``subscribers.links``); ``message_id`` (from ``make_message_id``) should
        be stable per (send, subscriber) so a retried message is recognisably
        the same one.
        """
        unsubscribe_url = _checked_url(values.get("unsubscribe_url", ""))
        headers = [
            *self._identity,
            ("To", format_address(values.get("name"), values.get("email", ""))),
            ("Date", format_datetime(date) if date else _date_now()),
            ("Message-ID", message_id or make_message_id(self.domain)),
            ("List-Id", self._list_id),
            (
                "List-Unsubscribe",
                f"<{unsubscribe_url}>,\r\n <mailto:{self._unsubscribe_mailto}?subject=unsubscribe>",
            ),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]
        text = ("plain", self._text.encode(values))
        parts = [text, ("html", self._html.encode(values))] if format == "html" else [text]
        return _sign(self._signer, _compose(headers, parts, self._boundary))


def render_confirmation(
    settings: Settings,
    publication: str,
    values: Mapping[str, str],
    *,
    message_id: str | None = None,
    date: dt.datetime | None = None,
) -> bytes:
    """The short plain-text double opt-in email; ``values`` as from ``Links.confirmation_values``."""
    name = values.get("name") or ""
    body = CONFIRM_TEXT.format(
        greeting=f"{name}，您好：" if name else "您好：",
        publication=publication,
        confirm_url=_checked_url(values.get("confirm_url", "")),
    )
    headers = [
        *_identity_headers(settings, publication, CONFIRM_SUBJECT.format(publication=publication)),
        ("To", format_address(name, values.get("email", ""))),
        ("Date", format_datetime(date) if date else _date_now()),
        ("Message-ID", message_id or make_message_id(settings.email.mail_domain)),
    ]
    signer = DkimSigner.from_settings(settings)
    return _sign(signer, _compose(headers, [("plain", _base64_body(body))], _boundary()))


def build_message(
    settings: Settings,
    digest: Digest,
    recipient_values: Mapping[str, str],
    *,
    subscriber_format: Format = "html",
    message_id: str | None = None,
) -> EmailMessage:
    """One recipient's digest as an ``EmailMessage``, for previews and inspection.

    Sending many should use one ``MessageBuilder``; ``to_bytes`` of this
    message gives back exactly the bytes ``MessageBuilder.render`` makes.
    """
    data = MessageBuilder(settings, digest).render(
        recipient_values, format=subscriber_format, message_id=message_id
    )
    return parse_message(data)


def build_confirmation_message(
    settings: Settings, publication_name: str, recipient_values: Mapping[str, str]
) -> EmailMessage:
    """The double opt-in email as an ``EmailMessage`` (see ``render_confirmation``)."""
    return parse_message(render_confirmation(settings, publication_name, recipient_values))


def parse_message(data: bytes) -> EmailMessage:
    """Bytes of a message as an ``EmailMessage`` whose ``to_bytes`` reproduces them."""
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)  # policy.default always makes one
    return message


# Emits headers as they were read: a parsed message goes out byte for byte, so
# its DKIM signature stays valid.
_VERBATIM = policy.SMTP.clone(refold_source="none")


def to_bytes(message: EmailMessage) -> bytes:
    """The message as SMTP bytes (CRLF), without refolding any header."""
    return message.as_bytes(policy=_VERBATIM)


def make_message_id(domain: str, *parts: str | int) -> str:
    """A Message-ID on ``domain``: from ``parts`` (stable, e.g. send and subscriber) or random."""
    local = ".".join(str(p) for p in parts) if parts else secrets.token_hex(12)
    return f"<{_checked_id(local)}@{_checked_id(domain)}>"


def format_address(name: str | None, address: str) -> str:
    """``Name <address>`` for a header: the name encoded or quoted as needed, the address checked."""
    address = checked_address(address)
    return f"{encode_phrase(name)} <{address}>" if name else address


def encode_phrase(text: str) -> str:
    """A display name or other phrase: as is when plain ASCII, else RFC 2047 encoded words."""
    _refuse_breaks(text, "a name")
    # A subscriber's name is untrusted: a bidi override in it could make the
    # From or To line read as something else in a mail client.
    text = clean(text)
    if text.isascii() and "=?" not in text:
        # A quoted string keeps specials such as , ; < > " from ending the phrase.
        return f'"{quote(text)}"' if _SPECIALS.search(text) else text
    return encoded_words(text)


def encoded_words(text: str) -> str:
    """``text`` as RFC 2047 B-encoded UTF-8 words, each at most 75 characters, folded.

    Written out rather than through ``email.header``, which costs a third of a
    message's build time; a word never splits a character.
    """
    words: list[str] = []
    chunk = b""
    for char in text:
        data = char.encode("utf-8")
        if len(chunk) + len(data) > _WORD_BYTES:
            words.append(_word(chunk))
            chunk = b""
        chunk += data
    words.append(_word(chunk))
    return "\r\n ".join(words)


def _word(data: bytes) -> str:
    return "=?utf-8?b?" + binascii.b2a_base64(data, newline=False).decode("ascii") + "?="


def encode_text(text: str, header_name: str = "Subject") -> str:
    """An unstructured header value (a subject): RFC 2047 encoded unless plain short ASCII."""
    _refuse_breaks(text, f"the {header_name.lower()}")
    text = clean(text)
    if text.isascii() and "=?" not in text and len(text) <= 900:
        return text
    return Header(text, _UTF8, header_name=header_name).encode(
        linesep="\r\n", maxlinelen=_ENCODED_LINE
    )


def checked_address(address: str) -> str:
    """``address`` if it is one plain dot-atom address, else a ValidationError."""
    if not _ADDRESS.fullmatch(address):
        raise ValidationError(
            f"{address!r} cannot be used as a mail address",
            "addresses come from 'subscribers.addresses.normalize_address'",
        )
    return address


@dataclass(frozen=True)
class DkimSigner:
    """An RSA key and the selector and domain it is published under."""

    selector: bytes
    domain: bytes
    key: bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> DkimSigner | None:
        """The configured signer, or None when ``dkim_selector``/``dkim_key_file`` are unset."""
        email = settings.email
        if not email.dkim_selector or email.dkim_key_file is None:
            return None
        import dkim  # here, not at the top: dkimpy loads dnspython, 30 ms of every start-up

        try:
            key = email.dkim_key_file.read_bytes()
        except OSError as e:
            raise ConfigError(
                f"cannot read the DKIM key {email.dkim_key_file}: {e.strerror}",
                "check [email] dkim_key_file",
            ) from e
        try:
            dkim.crypto.parse_pem_private_key(key)
        except dkim.crypto.UnparsableKeyError as e:
            raise ConfigError(
                f"{email.dkim_key_file} is not an RSA private key in PEM form",
                "make one with 'openssl genrsa -out dkim.key 2048'",
            ) from e
        # Signing with the From domain keeps DKIM aligned with it for DMARC.
        domain = checked_address(email.from_address).rpartition("@")[2]
        return cls(email.dkim_selector.encode("ascii"), domain.encode("ascii"), key)

    def sign(self, message: bytes) -> bytes:
        """``message`` with a DKIM-Signature header in front (relaxed/relaxed canonicalisation)."""
        import dkim  # loaded by from_settings already; see there

        signature = dkim.sign(
            message,
            self.selector,
            self.domain,
            self.key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=list(SIGNED_HEADERS),
            linesep=b"\r\n",
        )
        return signature + message


def _identity_headers(settings: Settings, publication: str, subject: str) -> list[tuple[str, str]]:
    """From, Reply-To and Subject: the same for every message about ``publication``."""
    email = settings.email
    headers = [
        ("From", format_address(email.from_name or publication, email.from_address)),
    ]
    if email.reply_to:
        headers.append(("Reply-To", format_address(None, email.reply_to)))
    headers.append(("Subject", encode_text(subject)))
    return headers


def _compose(
    headers: Sequence[tuple[str, str]], parts: Sequence[tuple[str, bytes]], boundary: str
) -> bytes:
    """Headers and text parts (subtype, base64 body) as one message; several are alternatives."""
    lines = [*headers, ("MIME-Version", "1.0")]
    head = "".join(f"{name}: {value}\r\n" for name, value in lines).encode("ascii")
    if len(parts) == 1:
        return head + _part(*parts[0])
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + _part(*p) for p in parts)
    return (
        head
        + f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode()
        + body
        + f"--{boundary}--\r\n".encode()
    )


def _part(subtype: str, body: bytes) -> bytes:
    # Base64 keeps every line 7-bit and short whatever the text, and is the
    # most compact for Chinese.
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n".encode()
    ) + body


def _base64_body(content: str) -> bytes:
    """Text as a base64 body, its line ends made CRLF first (the canonical form)."""
    return _base64_lines(content.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"))


class _EncodedBody:
    """A digest part's base64 body, encoded once up to its first personal field.

    Base64 turns every 57 bytes into one 76-character line, so a prefix that
    is a whole number of lines encodes the same whatever follows. Personal
    fields sit in the footer, so a message only encodes its last few lines.
    """

    def __init__(self, template: Template, escape: Callable[[str], str]) -> None:
        fixed = template.parts[0].encode("utf-8")
        cut = len(fixed) // _LINE_BYTES * _LINE_BYTES
        self._encoded = _base64_lines(fixed[:cut]) if cut else b""
        self._lead = fixed[cut:]
        self._rest = Template(("", *template.parts[1:]))
        self._escape = escape

    def encode(self, values: Mapping[str, str]) -> bytes:
        """The whole base64 body with ``values`` filled in."""
        rest = self._rest.fill(values, self._escape).encode("utf-8")
        return self._encoded + _base64_lines(self._lead + rest)


def _base64_lines(data: bytes) -> bytes:
    # One C call for the whole body, then 76-character lines (RFC 2045); faster than
    # base64.encodebytes, which calls into C once per 57 bytes.
    encoded = binascii.b2a_base64(data, newline=False)
    return b"\r\n".join(map(encoded.__getitem__, _line_slices(len(encoded)))) + b"\r\n"


@functools.lru_cache(maxsize=64)
def _line_slices(length: int) -> tuple[slice, ...]:
    """The 76-character line slices of a base64 text of ``length`` (a digest's size repeats)."""
    return tuple(slice(i, i + 76) for i in range(0, length, 76))


def _sign(signer: DkimSigner | None, message: bytes) -> bytes:
    return message if signer is None else signer.sign(message)


def _date_now() -> str:
    """The Date header for now; a send makes thousands a second, all alike."""
    return _date_of_second(int(time.time()))


@functools.lru_cache(maxsize=1)
def _date_of_second(second: int) -> str:
    return format_datetime(dt.datetime.fromtimestamp(second, dt.UTC))


def _boundary() -> str:
    # "=_" never occurs in base64, so the boundary cannot appear in a body.
    return f"=_pub_{secrets.token_hex(12)}"


def _checked_url(url: str) -> str:
    if not _URL.fullmatch(url):
        raise ValidationError(f"{url!r} cannot be used as a link in a mail header")
    return url


def _checked_id(text: str) -> str:
    if not _ID_PART.fullmatch(text):
        raise ValidationError(f"{text!r} cannot be used in a Message-ID or List-Id")
    return text


def _refuse_breaks(text: str, what: str) -> None:
    if _LINE_BREAKS.search(text):
        raise ValidationError(f"{what} contains a line break or a control character: {text!r}")
