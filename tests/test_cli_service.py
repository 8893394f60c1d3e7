"""The service's commands: schedule, run-cycle and admin-password, run as a user would."""

from __future__ import annotations

import shutil
from pathlib import Path

from publisher.web.admin import password_matches

from .cli import assert_refused, run
from .conftest import SAMPLE


def test_schedule_shows_each_cycle_and_its_next_run_in_the_publication_time_zone(
    env: dict[str, str],
) -> None:
    result = run(
        "schedule",
        env={
            **env,
            "PUBLISHER_SCHEDULE_CRONS": "新即墨=30 6 * * 1-5",
            "PUBLISHER_SCHEDULE_WEEKLY_DAY": "fri",
        },
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[0].startswith("cycle\t0 7 * * *\tnext: ") and lines[0].endswith("T07:00:00+08:00")
    assert lines[1].startswith("cycle:新即墨\t30 6 * * 1-5\tnext: ")
    assert lines[1].endswith("T06:30:00+08:00")


def test_run_cycle_ingests_the_inbox_and_sends(env: dict[str, str], tmp_path: Path) -> None:
    inbox = Path(env["PUBLISHER_DATA_DIR"]) / "inbox"
    inbox.mkdir(parents=True)
    shutil.copy(SAMPLE, inbox)
    (inbox / "broken.md").write_text("no issue here", "utf-8")
    run("subscribers", "add", "reader@example.com", env=env)
    result = run("run-cycle", env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "ingested: xinjimo-2890.md" in out and "refused: broken.md" in out
    assert "新即墨 第2890期" in out and "sent 1" in out
    assert len(list((Path(env["PUBLISHER_DATA_DIR"]) / "outbox" / "new").iterdir())) == 1


def test_admin_password_prints_a_hash_that_verifies(env: dict[str, str]) -> None:
    result = run("admin-password", env=env, input="秘密 password\n秘密 password\n".encode())
    assert result.returncode == 0, result.stderr
    hashed = result.stdout.decode().strip().splitlines()[-1]
    assert hashed.startswith("$argon2")
    assert password_matches(hashed, "秘密 password") and not password_matches(hashed, "wrong")


def test_bad_schedule_settings_are_one_line(env: dict[str, str]) -> None:
    assert_refused(run("schedule", env={**env, "PUBLISHER_SCHEDULE_CRON": "every day"}), "cron")


def test_serve_on_a_port_in_use_is_one_line(env: dict[str, str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), env=env)
    assert_refused(result, f"127.0.0.1:{port}", "--port")
