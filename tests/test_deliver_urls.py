"""Delivery URLs: the one setting that says where mail goes."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.config import load_settings
from publisher.deliver.urls import OutboxTarget, SmtpTarget, parse_delivery_url, parse_delivery_urls
from publisher.errors import ConfigError

BASE = Path("/srv/publisher")


def test_submission_with_starttls_login_pool_and_rate() -> None:
    target = parse_delivery_url(
        "smtp://news%40x.cn:p%40ss%3Aw@mail.x.cn:587?starttls=1&pool=16&rate=200", BASE
    )
    assert target == SmtpTarget(
        host="mail.x.cn",
        port=587,
        tls="starttls",
        username="news@x.cn",
        password="p@ss:w",
        pool=16,
        rate=200.0,
    )
    assert "p@ss" not in repr(target) and str(target) == "smtp://mail.x.cn:587"


def test_default_ports_follow_the_tls_mode() -> None:
    assert parse_delivery_url("smtp://relay", BASE).port == 25
    assert parse_delivery_url("smtp://relay?starttls=yes", BASE).port == 587
    implicit = parse_delivery_url("smtps://relay?verify=0&timeout=5", BASE)
    assert (implicit.port, implicit.tls, implicit.verify, implicit.timeout) == (
        465,
        "implicit",
        False,
        5.0,
    )


def test_outbox_paths_are_relative_to_the_base() -> None:
    assert parse_delivery_url("outbox:var/outbox", BASE) == OutboxTarget(BASE / "var/outbox")
    assert parse_delivery_url("outbox:/tmp/mail", BASE) == OutboxTarget(Path("/tmp/mail"))


def test_several_servers_but_never_an_outbox_among_them() -> None:
    targets = parse_delivery_urls(["smtp://a?pool=2", "smtps://b"], BASE)
    assert [t.host for t in targets] == ["a", "b"]  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match="cannot be combined"):
        parse_delivery_urls(["smtp://a", "outbox:x"], BASE)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://mail.x.cn", "unknown scheme"),
        ("smtp://", "names no host"),
        ("smtp://a:99999", "invalid port"),
        ("smtp://a?pool=0", "pool must be a whole number"),
        ("smtp://a?pool=2.5", "pool must be a whole number"),
        ("smtp://a?rate=fast", "rate must be a number"),
        ("smtp://a?starttls=maybe", "starttls='maybe'"),
        ("smtps://a?starttls=1", "both implicit TLS and STARTTLS"),
        ("smtp://a?tls=1", "unknown option 'tls'"),
        ("outbox:", "names no directory"),
    ],
)
def test_mistakes_are_refused_with_the_reason(url: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words.replace("?", r"\?").replace(".", r"\.")):
        parse_delivery_url(url, BASE)


def test_a_refused_url_never_shows_the_password() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_delivery_url("smtp://u:secret@a?pool=-1", BASE)
    assert "secret" not in str(caught.value) and "***" in str(caught.value)


def test_settings_default_to_an_outbox_in_the_data_dir_and_check_urls_at_start() -> None:
    settings = load_settings(env={"PUBLISHER_DATA_DIR": "/data"})
    assert settings.delivery_urls == ("outbox:/data/outbox",)
    several = load_settings(env={"PUBLISHER_DELIVERY_URL": "smtp://a?pool=2, smtp://b"})
    assert several.delivery_urls == ("smtp://a?pool=2", "smtp://b")
    with pytest.raises(ConfigError, match="unknown scheme"):
        load_settings(env={"PUBLISHER_DELIVERY_URL": "ftp://a"})
    with pytest.raises(ConfigError, match="lease_seconds"):
        load_settings(env={"PUBLISHER_DELIVERY_LEASE_SECONDS": "0"})
