"""Settings: defaults, the TOML file, environment overrides and clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.config import load_settings, redact_url
from publisher.errors import ConfigError

from .cli import assert_refused, run


def test_defaults_need_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings.database_url == "sqlite:///var/publisher.db"
    assert settings.site_dir == Path("var/site")
    assert settings.site.base_url == "http://localhost:8000/"
    assert str(settings.timezone) == "Asia/Shanghai"
    assert settings.publication.language == "zh-CN"


def test_environment_wins_over_file(tmp_path: Path) -> None:
    config = tmp_path / "p.toml"
    config.write_text(
        '[site]\nbase_url = "https://a.example/"\nfeed_issues = 3\n[email]\nfull_text = true\n',
        "utf-8",
    )
    settings = load_settings(
        config,
        env={
            "PUBLISHER_SITE_BASE_URL": "https://b.example/news",
            "PUBLISHER_DATABASE_URL": "sqlite://",
        },
    )
    assert settings.site.base_url == "https://b.example/news/"  # a trailing slash is added
    assert settings.site.feed_issues == 3
    assert settings.email.full_text is True
    assert settings.database_url == "sqlite://"


def test_config_found_through_environment_variable(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text('[publication]\ntimezone = "Asia/Tokyo"\n', "utf-8")
    assert str(load_settings(env={"PUBLISHER_CONFIG": str(config)}).timezone) == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("toml", "env", "words"),
    [
        ("[nope]\n", {}, "unknown section [nope]"),
        ("[site]\nbase_url = 5\n", {}, "not a valid string"),
        ("[site\n", {}, "not valid TOML"),
        ("", {"PUBLISHER_PUBLICATION_TIMEZONE": "Mars/Base"}, "unknown time zone"),
        ("", {"PUBLISHER_SITE_BASE_URL": "ftp://x/"}, "not an http(s) URL"),
        ("", {"PUBLISHER_EMAIL_FULL_TEXT": "perhaps"}, "not a valid boolean"),
        (
            "",
            {"PUBLISHER_SCHEDULE_CRON": "0 7 * * 1-5", "PUBLISHER_SCHEDULE_WEEKLY_DAY": "sat"},
            "never runs on weekly_day",
        ),
        ("", {"PUBLISHER_SCHEDULE_WEEKLY_DAY": "someday"}, "is not a day"),
        ('[schedule.crons]\n"新即墨" = "0 7 * *"\n', {}, "is not a cron expression"),
    ],
)
def test_refusals_say_what_is_wrong(tmp_path: Path, toml: str, env: dict, words: str) -> None:
    config = tmp_path / "p.toml"
    config.write_text(toml, "utf-8")
    with pytest.raises(ConfigError, match=__import__("re").escape(words)):
        load_settings(config, env=env)


# Each holds a secret a refusal must not show: the value of a secret key, or a
# URL's password.
SECRET_REFUSALS = [
    ("[security]\nsecret = 123456789\n", {}, "123456789"),
    ("[security]\nold_secrets = 987654321\n", {}, "987654321"),
    ("[admin]\npassword_hash = 55555\n", {}, "55555"),
    ("[database]\nurl = 4242\n", {}, "4242"),
    ("", {"PUBLISHER_DATABASE_URL": "postgresql+psycopg://u:Pw0rd@db:abc/x"}, "Pw0rd"),
    ("", {"PUBLISHER_DELIVERY_URL": "smtp://u:S3c[ret@mail.example"}, "S3c[ret"),
    ("", {"PUBLISHER_DELIVERY_URL": "smtp://u:a/b[c@mail.example"}, "a/b[c"),
    ("", {"PUBLISHER_DELIVERY_URL": "smtp://u:S3cret@mail.example:x"}, "S3cret"),
]


@pytest.mark.parametrize(("toml", "env", "secret"), SECRET_REFUSALS)
def test_refusals_never_show_a_secret(tmp_path: Path, toml: str, env: dict, secret: str) -> None:
    config = tmp_path / "p.toml"
    config.write_text(toml, "utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(config, env=env)
    assert secret not in str(refused.value)


@pytest.mark.parametrize(
    "env",
    [
        {"PUBLISHER_DELIVERY_URL": "smtp://u:S3c[ret@mail.example"},
        {"PUBLISHER_DATABASE_URL": "postgresql+psycopg://u:Pw0rd@db:abc/x"},
    ],
)
def test_broken_urls_are_one_line_exit_2_without_the_password(tmp_path: Path, env: dict) -> None:
    line = assert_refused(run("issues", env=env, cwd=tmp_path), "url", "***")
    assert "S3c[ret" not in line and "Pw0rd" not in line


def test_redact_url_hides_any_password() -> None:
    assert redact_url("smtp://u:p@ss/w?rd#@host:25?pool=2") == "smtp://u:***@host:25?pool=2"
    assert redact_url("postgresql://news@db/publisher") == "postgresql://news@db/publisher"
    assert redact_url("outbox:var/outbox") == "outbox:var/outbox"
