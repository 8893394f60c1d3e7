"""The build and preview commands, and ingest building what it stored, run as a user would."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

from .cli import assert_refused, run
from .render_support import fw


def site_of(env: dict[str, str]) -> Path:
    return Path(env["PUBLISHER_DATA_DIR"]) / "site"


def test_ingest_builds_the_site_and_feeds(env: dict[str, str], sample_path: Path) -> None:
    result = run("ingest", sample_path, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()
    site = site_of(env)
    assert lines[0].startswith("stored: 新即墨 第2890期")
    assert lines[1] == f"built: 新即墨 第2890期 {site / 'xinjimo' / '2890' / 'index.html'}"
    feeds = [line.removeprefix("feed: ") for line in lines[2:]]
    assert [Path(f).name for f in feeds] == ["atom.xml", "rss.xml", "feed.json", "issues.atom.xml"]
    assert all(Path(f).is_file() for f in feeds)


def test_build_renders_what_changed_then_nothing(env: dict[str, str], sample_path: Path) -> None:
    assert run("ingest", "--no-build", sample_path, env=env).returncode == 0
    assert not site_of(env).exists()
    first = run("build", env=env)
    assert first.returncode == 0, first.stderr
    assert "built: 新即墨 第2890期" in first.stdout.decode("utf-8")
    assert (site_of(env) / "xinjimo" / "2890" / "4" / "index.html").is_file()
    again = run("build", env=env)
    assert again.stdout.decode("utf-8").startswith("Nothing to build")
    one = run("build", "2890", env=env)
    assert "built: 新即墨 第2890期" in one.stdout.decode("utf-8")


def test_build_refusals_are_one_line(env: dict[str, str], sample_path: Path) -> None:
    run("ingest", "--no-build", sample_path, env=env)
    assert_refused(run("build", "2891", env=env), "2891", "not in the archive")
    assert_refused(run("build", "2890", "--all", env=env), "--all")
    site = Path(env["PUBLISHER_DATA_DIR"], "site")
    site.parent.mkdir(parents=True, exist_ok=True)  # on PostgreSQL no database file made it
    site.write_text("a file where the site should be")
    assert_refused(run("build", env=env), "cannot write", "site directory")


def test_preview_writes_a_complete_message_and_its_html(
    env: dict[str, str], sample_path: Path, tmp_path: Path
) -> None:
    run("ingest", "--no-build", sample_path, env=env)
    out = tmp_path / "proof" / "digest.eml"
    result = run("preview", "2890", "--out", out, env=env)
    assert result.returncode == 0, result.stderr
    assert f"eml: {out}" in result.stdout.decode("utf-8")
    message = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    assert message["Subject"] == fw(
        "新即墨 第2890期|区政府党组(扩大)会议暨区政府常务会议召开 等5篇"
    )
    assert message["List-Unsubscribe"].startswith("<http://localhost:8000/unsubscribe/preview>")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert fw("阅读全文:") + "http://localhost:8000/xinjimo/2890/4/" in text
    assert 'href="http://localhost:8000/unsubscribe/preview"' in html
    assert "__PUB_" not in text + html
    beside = out.with_suffix(".html").read_text(encoding="utf-8")
    assert beside.startswith("<!DOCTYPE html>") and "阅读全文" in beside


def test_preview_defaults_to_the_data_directory(env: dict[str, str], sample_path: Path) -> None:
    run("ingest", "--no-build", sample_path, env=env)
    result = run("preview", "2890", env=env)
    assert result.returncode == 0, result.stderr
    eml = Path(env["PUBLISHER_DATA_DIR"]) / "previews" / "xinjimo-2890.eml"
    assert eml.is_file() and eml.with_suffix(".html").is_file()


def test_build_with_a_poisoned_issue_builds_the_rest_and_exits_1(
    env: dict[str, str], sample_path: Path
) -> None:
    import dataclasses

    from publisher.app import Publisher
    from publisher.config import load_settings
    from publisher.parse import parse_bytes

    assert run("ingest", "--no-build", sample_path, env=env).returncode == 0
    app = Publisher(load_settings(env=env))
    try:
        # Stored directly: validation now refuses such a name at ingest.
        issue = parse_bytes(sample_path.read_bytes())
        app.archive.save(dataclasses.replace(issue, publication="\u202e", number=1))
    finally:
        app.close()
    result = run("build", env=env)
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines() == [
        "cannot build '\\u202e': ValueError: Required fields not set (title)"
    ]
    assert (site_of(env) / "xinjimo" / "2890" / "index.html").is_file()
