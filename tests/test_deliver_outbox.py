"""The outbox transport and the send commands end to end, on embedded defaults (no mail server)."""

from __future__ import annotations

import email
from email.policy import default
from pathlib import Path

from publisher.deliver.outbox import OutboxTransport
from publisher.deliver.transport import Outcome

from .cli import assert_refused, run
from .conftest import SAMPLE

MESSAGE = b"From: a@example.cn\r\nTo: b@example.cn\r\nSubject: hi\r\n\r\nbody\r\n"


def test_each_message_is_one_eml_file_in_a_maildir(tmp_path: Path) -> None:
    outbox = OutboxTransport(tmp_path / "box")
    results = [outbox.send(MESSAGE, "a@example.cn", "b@example.cn") for _ in range(3)]
    outbox.close()
    assert {r.outcome for r in results} == {Outcome.SENT}
    files = sorted((tmp_path / "box" / "new").iterdir())
    assert len(files) == 3 and all(f.suffix == ".eml" for f in files)
    assert {r.queue_id for r in results} == {f.name for f in files}
    assert list((tmp_path / "box" / "tmp").iterdir()) == []  # nothing half-written left
    assert files[0].read_bytes() == MESSAGE


def test_an_unwritable_outbox_defers_rather_than_fails(tmp_path: Path) -> None:
    outbox = OutboxTransport(tmp_path / "box")
    (tmp_path / "box" / "new").rmdir()
    (tmp_path / "box" / "new").write_text("not a directory")
    result = outbox.send(MESSAGE, "a@example.cn", "b@example.cn")
    assert result.outcome == Outcome.DEFERRED


def test_send_on_embedded_defaults_delivers_to_the_outbox(env: dict[str, str]) -> None:
    assert run("ingest", SAMPLE, env=env).returncode == 0
    for address in ("wang@example.cn", "li@example.cn", "zhao@example.cn"):
        assert run("subscribers", "add", address, env=env).returncode == 0
    run("subscribers", "remove", "li@example.cn", env=env)  # someone who left gets nothing

    planned = run("send", "2890", "--dry-run", env=env)
    assert planned.returncode == 0, planned.stderr
    assert "would send to: 2 active subscribers" in planned.stdout.decode()
    outbox = Path(env["PUBLISHER_DATA_DIR"]) / "outbox" / "new"
    assert not outbox.exists() or not list(outbox.iterdir())

    partial = run("send", "2890", "--limit", "1", env=env)
    assert partial.returncode == 1, partial.stderr  # one recipient still waits
    assert "Not finished: 1 recipients wait" in partial.stdout.decode()

    finished = run("send", "2890", env=env)
    assert finished.returncode == 0, finished.stderr
    out = finished.stdout.decode()
    assert "2 recipients: 0 queued, 2 sent" in out and "Done" in out
    delivered = [email.message_from_bytes(p.read_bytes(), policy=default) for p in outbox.iterdir()]
    assert sorted(str(m["To"]) for m in delivered) == ["wang@example.cn", "zhao@example.cn"]

    again = run("send", "2890", env=env)  # a finished send is not sent twice
    assert again.returncode == 0 and len(list(outbox.iterdir())) == 2

    listing = run("sends", "2890", env=env).stdout.decode()
    assert "send 1 of 新即墨 第2890期 (issue): done" in listing
    assert "2 recipients: 0 queued, 2 sent, 0 deferred, 0 failed, 0 skipped" in listing


def test_a_test_message_goes_outside_the_ledger(env: dict[str, str]) -> None:
    run("ingest", SAMPLE, env=env)
    result = run("send", "2890", "--test-to", "editor@example.cn", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith("test message to editor@example.cn: sent")
    assert "has not been sent" in run("sends", "2890", env=env).stdout.decode()


def test_send_refuses_clearly(env: dict[str, str]) -> None:
    run("ingest", SAMPLE, env=env)
    assert_refused(run("send", "7", env=env), "not in the archive")
    assert_refused(run("send", "2890", "--test-to", "not an address", env=env), "address")
    assert_refused(run("send", "2890", "--dry-run", "--test-to", "a@b.cn", env=env), "not both")
    bad_url = {**env, "PUBLISHER_DELIVERY_URL": "smtp://mail.example.cn?pool=zero"}
    assert_refused(run("send", "2890", env=bad_url), "pool")
