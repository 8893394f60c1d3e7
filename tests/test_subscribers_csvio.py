"""CSV import and export: bad rows reported by line, the rest imported, suppression respected."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from publisher.app import Publisher
from publisher.errors import ValidationError
from publisher.store.db import Database
from subscribers.csvio import Row, RowProblem, import_csv, read_rows, write_csv
from subscribers.store import SubscriberStore


def lines(text: str) -> io.StringIO:
    return io.StringIO(text, newline="")


def test_rows_are_read_with_the_line_they_start_on() -> None:
    text = (
        "Email,Name,cadence,format,status\n"
        "a@example.cn,张三,weekly,text,\n"
        "\n"
        'b@example.cn,"Li, ""the"" boss",,,\n'
        "not-an-address,x,,,\n"
        '"c@example.cn","multi\nline",,,\n'
        "d@example.cn,,monthly,,\n"
        "A@EXAMPLE.cn,dup,,,\n"
        "e@example.cn,,,,unsubscribed\n"
    )
    results = list(read_rows(lines(text)))
    good = [(r.line, r.person.email) for r in results if isinstance(r, Row)]
    bad = [(r.line, r.reason) for r in results if isinstance(r, RowProblem)]
    assert good == [(2, "a@example.cn"), (4, "b@example.cn"), (10, "e@example.cn")]
    assert [line for line, _ in bad] == [5, 6, 8, 9]
    assert "not a valid email address" in bad[0][1]
    assert "line break" in bad[1][1]
    assert "unknown cadence 'monthly'" in bad[2][1]
    assert "repeats line 2" in bad[3][1]
    first = next(r for r in results if isinstance(r, Row))
    assert (first.person.name, first.person.cadence, first.person.format) == (
        "张三",
        "weekly",
        "text",
    )
    assert results[-1].person.status == "unsubscribed"  # type: ignore[union-attr]


def test_a_list_of_bare_addresses_needs_no_header() -> None:
    results = list(read_rows(lines("a@example.cn,张三\nb@example.cn\n")))
    assert [(r.line, r.person.email, r.person.name) for r in results] == [  # type: ignore[union-attr]
        (1, "a@example.cn", "张三"),
        (2, "b@example.cn", None),
    ]


def test_a_file_without_an_email_column_is_refused() -> None:
    with pytest.raises(ValidationError, match="no 'email' column"):
        list(read_rows(lines("name,address\nx,y\n")))


def test_import_never_duplicates_nor_resubscribes(app: Publisher) -> None:
    store = app.subscribers
    store.remove(store.add("left@example.cn").email)
    text = "email,name\nnew@example.cn,新\nLEFT@example.cn,\nbad,\n"
    report = import_csv(store, lines(text))
    assert (report.added, report.existing, report.suppressed) == (1, 0, 1)
    assert [p.line for p in report.problems] == [4]
    again = import_csv(store, lines(text))
    assert (again.added, again.existing, again.suppressed) == (0, 1, 1)
    assert store.get_by_email("left@example.cn").status == "unsubscribed"
    assert store.get_by_email("new@example.cn").source == "import"


def test_export_has_every_field_and_imports_back_as_is(app: Publisher, tmp_path: Path) -> None:
    store = app.subscribers
    store.add("a@example.cn", '=HYPERLINK("http://evil")', cadence="weekly", format="text")
    store.remove(store.add("b@example.cn", "李四").email)
    out = io.StringIO()
    assert write_csv(store.iter_subscribers(), out) == 2
    exported = out.getvalue()
    header = exported.splitlines()[0].split(",")
    assert header[:6] == ["email", "name", "status", "cadence", "format", "source"]
    assert {"created_at", "unsubscribed_at", "hard_bounces"} <= set(header)
    assert "'=HYPERLINK" in exported  # a spreadsheet shows it as text, never runs it

    fresh_db = Database(f"sqlite:///{tmp_path / 'other.db'}")
    fresh_db.create_schema()
    fresh = SubscriberStore(fresh_db)
    report = import_csv(fresh, lines(exported))
    assert report.added == 2 and not report.problems
    a = fresh.get_by_email("a@example.cn")
    assert (a.name, a.cadence, a.format, a.status) == (
        '=HYPERLINK("http://evil")',
        "weekly",
        "text",
        "active",
    )
    assert fresh.get_by_email("b@example.cn").status == "unsubscribed"
    fresh_db.dispose()
