"""Subscribers to and from CSV: import reports every bad row and imports the rest.

An import never duplicates anyone and never resubscribes a person who left,
bounced or complained: their records stay as suppression entries. The export
has every field, and can be imported again as is.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from publisher.errors import ValidationError
from subscribers.addresses import clean_name, email_key, normalize_address
from subscribers.model import (
    CADENCES,
    FORMATS,
    STATUSES,
    NewSubscriber,
    Subscriber,
    check_choice,
)
from subscribers.store import SubscriberStore

EXPORT_FIELDS = (
    "email",
    "name",
    "status",
    "cadence",
    "format",
    "source",
    "hard_bounces",
    "created_at",
    "updated_at",
    "confirmed_at",
    "unsubscribed_at",
    "bounced_at",
    "complained_at",
)
# Columns an import reads; any other column (such as the export's timestamps) is ignored.
IMPORT_FIELDS = ("email", "name", "status", "cadence", "format")
CHUNK = 500  # people added per transaction

# A spreadsheet runs a cell starting with one of these as a formula; a leading
# apostrophe makes it text (and an import takes the apostrophe off again).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RowProblem:
    """A row that was not imported, and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class Row:
    """A valid row, with the line it started on."""

    line: int
    person: NewSubscriber


@dataclass
class ImportReport:
    """What an import did."""

    added: int = 0
    existing: int = 0  # already subscribed (or pending): left as they were
    suppressed: int = 0  # left, bounced or complained earlier: not resubscribed
    problems: list[RowProblem] = field(default_factory=list)


def read_rows(lines: Iterable[str]) -> Iterator[Row | RowProblem]:
    """Parse CSV text into valid people and problems, each with its line number.

    The first row names the columns (``email`` is required); a file whose
    first row is already an address is read as ``email,name`` without a header.
    An address repeated within the file is a problem on its later line.
    """
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        return
    columns = [cell.strip().lower() for cell in header]
    if "email" not in columns:
        if header and "@" in header[0]:
            columns = ["email", "name"]
            yield _row(1, dict(zip(columns, header, strict=False)))
        else:
            raise ValidationError(
                "the first line has no 'email' column",
                f"name the columns on the first line, e.g. {','.join(IMPORT_FIELDS)}",
            )
    seen: dict[str, int] = {}
    last_line = reader.line_num
    for cells in reader:
        line, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        result = _row(line, dict(zip(columns, cells, strict=False)))
        if isinstance(result, Row):
            key = email_key(result.person.email)
            if key in seen:
                result = RowProblem(line, f"{result.person.email} repeats line {seen[key]}")
            else:
                seen[key] = line
        yield result


def import_csv(store: SubscriberStore, lines: Iterable[str]) -> ImportReport:
    """Import people from CSV text into ``store``; bad rows are reported, the rest imported."""
    report = ImportReport()
    pending: list[NewSubscriber] = []

    def flush() -> None:
        for outcome in store.add_many(pending, source="import"):
            if outcome == "added":
                report.added += 1
            elif outcome == "exists":
                report.existing += 1
            else:
                report.suppressed += 1
        pending.clear()

    try:
        for item in read_rows(lines):
            if isinstance(item, RowProblem):
                report.problems.append(item)
                continue
            pending.append(item.person)
            if len(pending) >= CHUNK:
                flush()
    except UnicodeDecodeError as e:
        raise ValidationError(
            "the file is not UTF-8 text", "save it from the spreadsheet as 'CSV UTF-8'"
        ) from e
    except csv.Error as e:
        raise ValidationError(f"the file is not valid CSV: {e}") from e
    flush()
    return report


def write_csv(subscribers: Iterable[Subscriber], out: TextIO) -> int:
    """Write every field of ``subscribers`` as CSV with a header; returns how many rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_FIELDS)
    count = 0
    for subscriber in subscribers:
        writer.writerow([_cell(getattr(subscriber, name)) for name in EXPORT_FIELDS])
        count += 1
    return count


def _row(line: int, cells: dict[str, str]) -> Row | RowProblem:
    values = {k: _uncell(cells.get(k, "")) for k in IMPORT_FIELDS}
    try:
        person = NewSubscriber(
            email=normalize_address(values["email"]),
            name=clean_name(values["name"]),
            status=check_choice(values["status"] or "active", STATUSES, "status"),  # type: ignore[arg-type]
            cadence=check_choice(values["cadence"] or "issue", CADENCES, "cadence"),  # type: ignore[arg-type]
            format=check_choice(values["format"] or "html", FORMATS, "format"),  # type: ignore[arg-type]
        )
    except ValidationError as e:
        return RowProblem(line, str(e))
    return Row(line, person)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _uncell(value: str) -> str:
    text = value.strip()
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text
