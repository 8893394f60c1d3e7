"""The 'publisher subscribers' commands, run as a user would."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .cli import assert_refused, run


def test_add_list_remove_and_suppression(env: dict[str, str], tmp_path: Path) -> None:
    added = run("subscribers", "add", "Li@Example.cn", "--name", "李明", env=env)
    assert added.returncode == 0, added.stderr
    assert added.stdout.decode() == "added Li@example.cn (active)\n"
    assert_refused(run("subscribers", "add", "li@example.cn", env=env), "already a subscriber")
    assert_refused(run("subscribers", "add", "x@y.cn\nBcc: z@q.cn", env=env), "line break")
    assert_refused(run("subscribers", "remove", "nobody@example.cn", env=env), "no subscriber")

    removed = run("subscribers", "remove", "LI@example.cn", env=env)
    assert removed.returncode == 0 and "unsubscribed" in removed.stdout.decode()

    listing = run("subscribers", "list", "--status", "unsubscribed", env=env).stdout.decode()
    assert listing.startswith("Li@example.cn\t李明\tunsubscribed\t")
    assert (
        "No subscribers"
        in run("subscribers", "list", "--status", "active", env=env).stdout.decode()
    )
    assert_refused(run("subscribers", "list", "--status", "gone", env=env), "--status")


def test_import_reports_bad_rows_and_export_writes_every_field(
    env: dict[str, str], tmp_path: Path
) -> None:
    run("subscribers", "add", "left@example.cn", env=env)
    run("subscribers", "remove", "left@example.cn", env=env)
    source = tmp_path / "people.csv"
    source.write_text(
        "\ufeffemail,name\nok@example.cn,好\nbroken,\nleft@example.cn,\n", encoding="utf-8"
    )
    imported = run("subscribers", "import", source, env=env)
    assert imported.returncode == 0, imported.stderr
    assert imported.stderr.decode().splitlines() == [
        f"{source}:3: 'broken' is not a valid email address: An email address must have an @-sign."
    ]
    assert imported.stdout.decode() == (
        "imported 1; already present 0; left earlier, not resubscribed 1; bad rows 1\n"
    )

    out = tmp_path / "all.csv"
    assert run("subscribers", "export", "--out", out, env=env).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {(r["email"], r["status"], r["source"]) for r in rows} == {
        ("left@example.cn", "unsubscribed", "cli"),
        ("ok@example.cn", "active", "import"),
    }
    assert run("subscribers", "export", env=env).stdout.decode() == out.read_text(encoding="utf-8")

    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("email,name\nwang@example.cn,王\n".encode("gbk"))
    assert_refused(run("subscribers", "import", gbk, env=env), "UTF-8")


def test_export_to_an_unwritable_place_is_one_line_and_leaves_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    target = Path("/proc/publisher-test/all.csv")
    assert_refused(run("subscribers", "export", "--out", target, env=env), "cannot write")
    assert not target.exists()
