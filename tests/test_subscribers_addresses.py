"""Addresses and names: normalised for storage, and nothing that could break out of a header."""

from __future__ import annotations

import pytest

from publisher.errors import ValidationError
from subscribers.addresses import MAX_NAME_LENGTH, clean_name, email_key, normalize_address


def test_addresses_are_normalised_to_ascii_with_the_local_part_kept() -> None:
    assert normalize_address("  Li.Ming@Example.CN ") == "Li.Ming@example.cn"
    assert normalize_address("wang@bücher.de") == "wang@xn--bcher-kva.de"
    assert email_key("Li.Ming@example.cn") == email_key("li.ming@EXAMPLE.cn")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no-at-sign",
        "a@b@example.cn",
        "li@example.cn\r\nBcc: victim@example.org",
        "li@example.cn\nBcc: victim@example.org",
        "li@example.cn\x00",
        "li@example.cn\u2028Bcc: victim@example.org",
        '"a b"@example.cn',  # quoted local parts could carry anything into a header
        "李明@example.cn",  # needs SMTPUTF8, which digests do not use
        "li@[127.0.0.1]",
        "Li Ming <li@example.cn>",
        "li@example.cn, other@example.cn",
    ],
)
def test_bad_or_dangerous_addresses_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        normalize_address(text)


def test_names_are_trimmed_and_empty_means_none() -> None:
    assert clean_name("  王小明 ") == "王小明"
    assert clean_name("   ") is None
    assert clean_name(None) is None
    assert clean_name('Li "Ming", <boss>') == 'Li "Ming", <boss>'  # quoted when mailed


@pytest.mark.parametrize(
    "name", ["王\r\nBcc: victim@example.org", "a\nb", "tab\there", "nul\x00", "sep\u2029x"]
)
def test_names_with_line_breaks_or_controls_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        clean_name(name)


def test_overlong_names_are_refused() -> None:
    assert clean_name("王" * MAX_NAME_LENGTH) == "王" * MAX_NAME_LENGTH
    with pytest.raises(ValidationError):
        clean_name("王" * (MAX_NAME_LENGTH + 1))
