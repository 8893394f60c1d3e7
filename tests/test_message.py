"""Messages: every header, both parts in Chinese, RFC 2047, no header injection, DKIM that verifies."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime
from pathlib import Path

import dkim
import pytest

from publisher.config import Settings, load_settings
from publisher.deliver.message import (
    MessageBuilder,
    build_confirmation_message,
    build_message,
    make_message_id,
    parse_message,
    render_confirmation,
    to_bytes,
)
from publisher.digest import Digest, Template, new_nonce
from publisher.errors import ConfigError, ValidationError

SUBJECT = "新即墨 第2890期：即墨区召开全区经济工作会议 部署明年重点任务，推动高质量发展再上新台阶"
HTML = (
    "<html><body><p>__PUB_NAME__，您好！</p><h1>即墨区召开全区经济工作会议</h1>"
    '<p><a href="__PUB_PREFERENCES_URL__">订阅设置</a> · '
    '<a href="__PUB_UNSUBSCRIBE_URL__">退订</a></p></body></html>'
)
TEXT = "__PUB_NAME__，您好！\n\n即墨区召开全区经济工作会议\n\n退订：__PUB_UNSUBSCRIBE_URL__\n"
UNSUBSCRIBE = "https://news.xinjimo.cn/unsubscribe/WzEsImFiYyJd.Z0T5ag.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"


def digest(subject: str = SUBJECT) -> Digest:
    nonce = new_nonce()

    def compiled(text: str) -> Template:
        return Template.compile(text.replace("__PUB_", f"__PUB_{nonce}_"), nonce)

    return Digest("新即墨", "xinjimo", 2890, subject, "即墨区召开", compiled(HTML), compiled(TEXT))


def values(**changes: str) -> dict[str, str]:
    base = {
        "name": "王小明",
        "email": "reader@example.org",
        "unsubscribe_url": UNSUBSCRIBE,
        "preferences_url": "https://news.xinjimo.cn/preferences/abc",
    }
    return {**base, **changes}


@pytest.fixture
def settings(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("PUBLISHER_EMAIL_FROM_ADDRESS", "newsletter@xinjimo.cn")
    monkeypatch.setenv("PUBLISHER_EMAIL_REPLY_TO", "editor@xinjimo.cn")
    return load_settings()


def header_lines(data: bytes) -> list[str]:
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")  # every header is 7-bit
    return head.split("\r\n")


def raw_header(data: bytes, name: str) -> str:
    """The value of header ``name`` exactly as sent, folding included."""
    match = re.search(rf"^{name}: (.*?)\r\n(?! )", data.decode("ascii"), re.M | re.S)
    assert match, name
    return match.group(1)


def test_every_header_is_there_and_decodes(settings: Settings) -> None:
    message = build_message(
        settings, digest(), values(), message_id=make_message_id("xinjimo.cn", "s7", 42)
    )
    assert str(message["From"]) == "新即墨 <newsletter@xinjimo.cn>"
    assert message["From"].addresses[0].display_name == "新即墨"
    assert str(message["To"]) == "王小明 <reader@example.org>"
    assert message["Reply-To"] == "editor@xinjimo.cn"
    assert message["Subject"] == SUBJECT
    assert message["Message-ID"] == "<s7.42@xinjimo.cn>"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["MIME-Version"] == "1.0"
    assert message["List-Id"] == "新即墨 <xinjimo.xinjimo.cn>"
    assert message["List-Unsubscribe"] == (
        f"<{UNSUBSCRIBE}>, <mailto:unsubscribe@xinjimo.cn?subject=unsubscribe>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"


def test_headers_are_rfc_2047_ascii_and_short(settings: Settings) -> None:
    data = MessageBuilder(settings, digest()).render(values())
    lines = header_lines(data)
    assert all(len(line) <= 998 for line in lines)
    raw = "\r\n".join(lines)
    assert "=?utf-8?b?" in raw.split("Subject: ", 1)[1].split("\r\n")[0]
    for word in re.findall(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=", raw):
        assert len(word) <= 75, word  # RFC 2047's limit for one encoded word
    subject = raw.split("Subject: ", 1)[1].split("\r\n")
    assert len(subject) > 1 and subject[1].startswith(" =?utf-8?b?")  # folded between words
    # Long names fold between encoded words and the address stays bare (no quoting bug).
    long_name = "王" * 60
    long_data = MessageBuilder(settings, digest()).render(values(name=long_name))
    raw_to = raw_header(long_data, "To")
    assert "\r\n " in raw_to  # folded
    # RFC 2047 decoding drops the whitespace between encoded words, as mail readers do.
    assert str(make_header(decode_header(raw_to))) == f"{long_name} <reader@example.org>"
    assert parse_message(long_data)["To"].addresses[0].addr_spec == "reader@example.org"


def test_both_parts_decode_to_the_personalised_chinese_text(settings: Settings) -> None:
    message = build_message(settings, digest(), values(name='<b>"李" & 王</b>'))
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content()
    assert text.startswith('<b>"李" & 王</b>，您好！\n') and f"退订：{UNSUBSCRIBE}" in text
    assert "&lt;b&gt;&quot;李&quot; &amp; 王&lt;/b&gt;，您好！" in html  # escaped in HTML
    assert "即墨区召开全区经济工作会议" in html
    for part in message.iter_parts():
        assert part["Content-Transfer-Encoding"] == "base64"
        assert part.get_content_charset() == "utf-8"
    # The text part is in canonical form: CRLF line ends before base64.
    raw_text = message.get_body(("plain",)).get_payload()
    assert b"\r\n" in base64.b64decode(raw_text)
    assert max(len(line) for line in raw_text.splitlines()) == 76  # RFC 2045 line length


def test_text_subscribers_get_only_the_text_part(settings: Settings) -> None:
    message = build_message(settings, digest(), values(), subscriber_format="text")
    assert message.get_content_type() == "text/plain"
    assert "即墨区召开全区经济工作会议" in message.get_content()


def test_a_parsed_message_goes_out_byte_for_byte(settings: Settings) -> None:
    data = MessageBuilder(settings, digest()).render(values(), message_id="<x.1@xinjimo.cn>")
    assert to_bytes(parse_message(data)) == data


def test_ascii_names_with_specials_are_quoted_into_one_address(settings: Settings) -> None:
    message = build_message(settings, digest(), values(name='Li, "Boss" <x@evil.example>'))
    (address,) = message["To"].addresses
    assert address.addr_spec == "reader@example.org"
    assert address.display_name == 'Li, "Boss" <x@evil.example>'


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "王\r\nBcc: victim@example.org"},
        {"name": "Li\nBcc: victim@example.org"},
        {"name": "王\u2028Bcc: victim@example.org"},
        {"email": "reader@example.org\r\nBcc: victim@example.org"},
        {"email": "reader@example.org, victim@example.org"},
        {"email": "Reader <reader@example.org>"},
        {"email": ""},
        {"unsubscribe_url": UNSUBSCRIBE + "\r\nBcc: victim@example.org"},
        {"unsubscribe_url": UNSUBSCRIBE + ">, <https://evil.example/"},
        {"unsubscribe_url": "javascript:alert(1)"},
    ],
)
def test_no_header_can_be_injected_through_values(settings: Settings, changes: dict) -> None:
    with pytest.raises(ValidationError):
        MessageBuilder(settings, digest()).render(values(**changes))


@pytest.mark.parametrize("subject", ["Issue 1\r\nBcc: victim@example.org", "第1期\nBcc: x@y.cn"])
def test_no_header_can_be_injected_through_the_subject(settings: Settings, subject: str) -> None:
    with pytest.raises(ValidationError):
        MessageBuilder(settings, digest(subject))


def test_no_header_can_be_injected_through_settings(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLISHER_EMAIL_FROM_NAME", "新即墨\r\nBcc: victim@example.org")
    with pytest.raises(ValidationError):
        MessageBuilder(load_settings(), digest())
    monkeypatch.setenv("PUBLISHER_EMAIL_FROM_NAME", "新即墨")
    monkeypatch.setenv("PUBLISHER_EMAIL_FROM_ADDRESS", "a@b.cn>\r\nBcc: victim@example.org")
    with pytest.raises(ValidationError):
        MessageBuilder(load_settings(), digest())


def test_message_ids_are_stable_when_asked_and_checked() -> None:
    assert make_message_id("xinjimo.cn", "send", 3, 99) == "<send.3.99@xinjimo.cn>"
    assert make_message_id("xinjimo.cn") != make_message_id("xinjimo.cn")
    with pytest.raises(ValidationError):
        make_message_id("xinjimo.cn", "a>\r\nBcc: x")


def test_the_confirmation_email_is_short_plain_chinese(settings: Settings) -> None:
    confirm = "https://news.xinjimo.cn/confirm/WzEsImFiYyJd.sig"
    message = build_confirmation_message(settings, "新即墨", {**values(), "confirm_url": confirm})
    assert message["Subject"] == "请确认订阅《新即墨》"
    assert str(message["To"]) == "王小明 <reader@example.org>"
    assert message.get_content_type() == "text/plain"
    body = message.get_content()
    assert body.startswith("王小明，您好：") and confirm in body
    assert message["List-Unsubscribe"] is None  # not list mail: a one-off the reader asked for
    with pytest.raises(ValidationError):
        render_confirmation(settings, "新即墨", {**values(), "confirm_url": "x\r\nBcc: y"})


@pytest.fixture
def dkim_key(tmp_path: Path) -> tuple[Path, bytes]:
    """A fresh RSA key and its DNS TXT record, made with openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test DKIM key")
    key = tmp_path / "dkim.key"
    subprocess.run([openssl, "genrsa", "-out", key, "2048"], check=True, capture_output=True)
    public = subprocess.run(
        [openssl, "rsa", "-in", key, "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    return key, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_dkim_signature_verifies_and_covers_the_list_headers(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, dkim_key: tuple[Path, bytes]
) -> None:
    key, record = dkim_key
    monkeypatch.setenv("PUBLISHER_EMAIL_FROM_ADDRESS", "newsletter@xinjimo.cn")
    monkeypatch.setenv("PUBLISHER_EMAIL_DKIM_SELECTOR", "pub2026")
    monkeypatch.setenv("PUBLISHER_EMAIL_DKIM_KEY_FILE", str(key))
    settings = load_settings()
    looked_up: list[bytes] = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        looked_up.append(name)
        return record

    data = MessageBuilder(settings, digest()).render(values())
    assert data.startswith(b"DKIM-Signature: ")
    assert dkim.verify(data, dnsfunc=dns)
    assert looked_up == [b"pub2026._domainkey.xinjimo.cn."]
    signed = parse_message(data)["DKIM-Signature"]
    for header in ("list-unsubscribe", "list-unsubscribe-post", "list-id", "from", "subject"):
        assert re.search(rf"\b{header}\b", str(signed))
    assert dkim.verify(to_bytes(parse_message(data)), dnsfunc=dns)
    tampered = data.replace(
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click", b"List-Unsubscribe-Post: x"
    )
    assert not dkim.verify(tampered, dnsfunc=dns)
    confirmation = render_confirmation(
        settings, "新即墨", {**values(), "confirm_url": "https://a.cn/c/t"}
    )
    assert dkim.verify(confirmation, dnsfunc=dns)


def test_an_unreadable_or_invalid_dkim_key_is_a_configuration_error(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PUBLISHER_EMAIL_DKIM_SELECTOR", "s1")
    monkeypatch.setenv("PUBLISHER_EMAIL_DKIM_KEY_FILE", str(tmp_path / "missing.key"))
    with pytest.raises(ConfigError, match="cannot read the DKIM key"):
        MessageBuilder(load_settings(), digest())
    (tmp_path / "bad.key").write_text("not a key")
    monkeypatch.setenv("PUBLISHER_EMAIL_DKIM_KEY_FILE", str(tmp_path / "bad.key"))
    with pytest.raises(ConfigError, match="not an RSA private key"):
        MessageBuilder(load_settings(), digest())


def test_the_parts_are_exactly_the_personalised_digest(app) -> None:
    """Most of each body is base64-encoded once per issue; the result must not show it."""
    from publisher.deliver.message import MessageBuilder, parse_message
    from publisher.ingest import ingest_files
    from publisher.render.digest import render_digest

    from .conftest import SAMPLE

    issue = ingest_files(app, [SAMPLE])[0].issue
    digest = render_digest(app.settings, issue, "xinjimo")
    builder = MessageBuilder(app.settings, digest)
    for person in (values(), values(name="", email="a@b.cn"), values(name="名" * 40)):
        data = builder.render(person)
        message = parse_message(data)
        html, text = digest.personalize(person)
        assert message.get_body(("html",)).get_content().replace("\r\n", "\n") == html
        assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == text
        head, _, body = data.partition(b"\r\n\r\n")
        assert max(len(line) for line in head.split(b"\r\n")) <= 998
        assert max(len(line) for line in body.split(b"\r\n")) <= 78  # base64: 76 a line


def test_marker_text_in_an_article_stays_text_in_every_reader_s_message(
    app, tmp_path: Path
) -> None:
    """Text that looks like a personal field is never filled with a reader's address or link."""
    import datetime as dt

    from publisher.ingest import ingest_files
    from publisher.render.digest import render_digest

    from .render_support import write_issue

    bait = "请回复__PUB_EMAIL__与__PUB_UNSUBSCRIBE_URL__及__PUB_NAME__。"
    path = write_issue(tmp_path, 9, dt.date(2024, 3, 1), title=bait, paragraph=bait + "正文。")
    issue = ingest_files(app, [path])[0].issue
    digest = render_digest(app.settings, issue, "xinjimo")
    person = values()
    message = parse_message(MessageBuilder(app.settings, digest).render(person))
    for subtype in ("plain", "html"):
        body = message.get_body((subtype,)).get_content()
        assert body.count("__PUB_EMAIL__") >= 2, subtype  # the title and the paragraph
        assert "__PUB_UNSUBSCRIBE_URL__" in body and "__PUB_NAME__" in body
        # The reader's own values appear only where the footer puts them.
        assert body.count(person["email"]) == 1, subtype
        assert body.count(UNSUBSCRIBE) == 1, subtype


def test_a_marker_needs_the_rendering_s_own_nonce() -> None:
    nonce, other = new_nonce(), new_nonce()
    assert nonce != other and len(nonce) >= 16
    text = f"a __PUB_{other}_EMAIL__ b __PUB_{nonce}_EMAIL__ c __PUB_EMAIL__"
    filled = Template.compile(text, nonce).fill({"email": "x@y.cn"})
    assert filled == f"a __PUB_{other}_EMAIL__ b x@y.cn c __PUB_EMAIL__"
    with pytest.raises(ValueError):
        Template.compile(text, "")  # a fixed marker is one any text could hold
