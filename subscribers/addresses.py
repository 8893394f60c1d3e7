"""Email addresses and display names as people type them, made safe to store and to mail.

Everything that reaches a mail header starts here, so this module refuses
anything that could break out of a header: line breaks, control characters,
quoted local parts. Addresses are stored in their ASCII form (IDNA domains as
``xn--``) because messages go out without SMTPUTF8.
"""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

from publisher.errors import ValidationError

MAX_NAME_LENGTH = 200

# Cc: control characters (CR, LF, NUL, ...); Zl/Zp: Unicode line and paragraph
# separators, which some mail software treats as line breaks.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def normalize_address(text: str) -> str:
    """The address in the form we store and mail to, or a ValidationError saying why not."""
    candidate = text.strip()
    if not candidate:
        raise ValidationError("the email address is empty", "give an address such as li@example.cn")
    if _has_forbidden(candidate):
        raise ValidationError(
            f"the email address {candidate!r} contains a line break or a control character"
        )
    try:
        result = validate_email(
            candidate,
            check_deliverability=False,
            allow_smtputf8=False,  # digests go out without SMTPUTF8
            allow_quoted_local=False,
            allow_domain_literal=False,
        )
    except EmailNotValidError as e:
        raise ValidationError(f"{candidate!r} is not a valid email address: {e}") from e
    assert result.ascii_email is not None  # always set when SMTPUTF8 is not allowed
    return result.ascii_email


def email_key(address: str) -> str:
    """What uniqueness is decided on: two addresses differing only in case are one person."""
    return address.strip().lower()


def clean_name(name: str | None) -> str | None:
    """A display name safe for a mail header, or None when there is none."""
    if name is None:
        return None
    text = unicodedata.normalize("NFC", name).strip()
    if _has_forbidden(text):
        raise ValidationError(
            "the name contains a line break or a control character", "give the name on one line"
        )
    if len(text) > MAX_NAME_LENGTH:
        raise ValidationError(f"the name is longer than {MAX_NAME_LENGTH} characters")
    return text or None


def _has_forbidden(text: str) -> bool:
    return any(unicodedata.category(c) in _FORBIDDEN_CATEGORIES for c in text)
