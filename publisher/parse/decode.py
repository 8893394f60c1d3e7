"""Turning the bytes of an issue file into clean text, or a clear refusal."""

from __future__ import annotations

import re

from publisher.errors import InputError

# C0 and C1 control characters other than tab and newline: never content, and illegal in XML.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def decode(data: bytes, source: str | None = None) -> str:
    """Decode UTF-8 (with or without BOM, LF or CRLF) into text with LF line ends."""
    if b"\x00" in data[:8192]:
        raise InputError(
            "this is a binary file, not an issue text",
            "give the Markdown text of the issue (UTF-8)",
            source=source,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"not UTF-8 text (invalid byte at offset {e.start})",
            _encoding_hint(data),
            source=source,
        ) from e
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_controls(text)
    if not text.strip():
        raise InputError("the file is empty", "give the text of an issue", source=source)
    return text


def strip_controls(text: str) -> str:
    """``text`` without control characters other than tab and newline."""
    return _CONTROL.sub("", text)


def _encoding_hint(data: bytes) -> str:
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return "save the file as UTF-8"
    return "it looks like GBK/GB18030: convert it with 'iconv -f GB18030 -t UTF-8'"
