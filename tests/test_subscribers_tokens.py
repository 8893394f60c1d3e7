"""Signed tokens: per subscriber and purpose, rotation-friendly, and a generated secret that persists."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from publisher.config import load_settings
from publisher.errors import ConfigError, TokenError
from subscribers.tokens import SECRET_FILE, Tokens, stored_secret


def test_a_token_reads_back_for_its_purpose_only() -> None:
    tokens = Tokens(["s3cret"])
    token = tokens.make(7, "li@example.cn", "unsubscribe")
    claim = tokens.read(token, "unsubscribe")
    assert claim.subscriber_id == 7 and claim.matches("LI@example.cn")
    assert not claim.matches("wang@example.cn")
    for other in ("confirm", "preferences"):
        with pytest.raises(TokenError):
            tokens.read(token, other)


def test_tokens_are_distinct_per_subscriber_and_unforgeable() -> None:
    tokens = Tokens(["s3cret"])
    one = tokens.make(1, "a@example.cn", "unsubscribe")
    two = tokens.make(2, "b@example.cn", "unsubscribe")
    assert one != two
    signature = one.rpartition(".")[2]
    forged = two.rpartition(".")[0] + "." + signature  # another subscriber's payload
    for bad in (forged, one[:-2] + ("AA" if not one.endswith("AA") else "BB"), "", "x.y.z"):
        with pytest.raises(TokenError):
            tokens.read(bad, "unsubscribe")
    with pytest.raises(TokenError):
        Tokens(["another secret"]).read(one, "unsubscribe")


def test_rotation_keeps_old_links_working_and_signs_with_the_new_secret() -> None:
    old_token = Tokens(["old"]).make(3, "a@example.cn", "preferences")
    rotated = Tokens(["new", "old"])
    assert rotated.read(old_token, "preferences").subscriber_id == 3
    new_token = rotated.make(3, "a@example.cn", "preferences")
    assert Tokens(["new"]).read(new_token, "preferences").subscriber_id == 3
    with pytest.raises(TokenError):
        Tokens(["old"]).read(new_token, "preferences")


def test_confirmation_links_expire_but_unsubscribe_links_do_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens = Tokens(["s3cret"], confirm_max_age=7 * 86400)
    confirm = tokens.make(1, "a@example.cn", "confirm")
    leave = tokens.make(1, "a@example.cn", "unsubscribe")
    later = time.time() + 8 * 86400
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    with pytest.raises(TokenError, match="expired"):
        tokens.read(confirm, "confirm")
    assert tokens.read(leave, "unsubscribe").subscriber_id == 1


def test_without_a_configured_secret_one_is_generated_once_and_private(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PUBLISHER_SECURITY_SECRET")
    settings = load_settings()
    token = Tokens.from_settings(settings).make(1, "a@example.cn", "unsubscribe")
    path = settings.data.dir / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # A restart (a new Tokens from the same settings) still reads old links.
    assert Tokens.from_settings(load_settings()).read(token, "unsubscribe").subscriber_id == 1
    assert stored_secret(path) == path.read_text().strip()
    assert list(path.parent.glob(".secret.key.*")) == []


def test_an_empty_secret_file_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / SECRET_FILE
    path.write_text("")
    with pytest.raises(ConfigError, match="empty"):
        stored_secret(path)
