"""Publishing one more issue must not cost more in a big archive than in a small one.

Builds two archives of synthetic issues (the sample issue under other numbers
and dates), 30 and 3,000 issues, both already published; then publishes new
issues into each the way ``publisher ingest`` does (parse, store, build what
changed) and compares the median times. The last line is ``ratio: X.XX``
(3,000-issue time over 30-issue time), which must stay under 1.5.

Run: .venv/bin/python benchmarks/publish_incremental.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import update

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.ingest import ingest_files, read_issue_file
from publisher.model import Issue
from publisher.render.build import build_changed
from publisher.store.tables import IssueRow

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "xinjimo-2890.md"
SIZES = (30, 3000)
ROUNDS = 11
LIMIT = 1.5
FIRST_DATE = dt.date(2000, 1, 1)
BATCH = 500


def synthetic(sample: Issue, n: int) -> Issue:
    """The sample as issue ``n``: its own number and date, its lead title marked."""
    lead = dataclasses.replace(sample.articles[0], title=f"{sample.articles[0].title}({n})")
    return dataclasses.replace(
        sample,
        number=n,
        date=FIRST_DATE + dt.timedelta(days=n),
        articles=(lead, *sample.articles[1:]),
    )


def make_archive(directory: Path, size: int, sample: Issue) -> Publisher:
    """An archive of ``size`` issues, stored directly and counted as already built."""
    app = Publisher(load_settings(env={"PUBLISHER_DATA_DIR": str(directory)}))
    for start in range(1, size + 1, BATCH):
        numbers = range(start, min(start + BATCH, size + 1))
        app.archive.save_all([(synthetic(sample, n), "", "") for n in numbers])
    # Setup only: a real archive got here by building each issue as it came in.
    with app.db.session() as session:
        session.execute(update(IssueRow).values(built_at=IssueRow.updated_at))
    return app


def issue_file(directory: Path, number: int) -> Path:
    """The sample issue file with front matter giving it a new number and date."""
    date = FIRST_DATE + dt.timedelta(days=number)
    path = directory / f"issue-{number}.md"
    front = f"---\nnumber: {number}\ndate: {date.isoformat()}\n---\n"
    path.write_text(front + SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def publish(app: Publisher, path: Path) -> float:
    """Seconds to ingest one issue and build what changed, as ``publisher ingest`` does."""
    started = time.perf_counter()
    ingest_files(app, [path])
    report = build_changed(app)
    elapsed = time.perf_counter() - started
    assert len(report.issues) == 1, report.issues
    return elapsed


def main() -> int:
    sample, _ = read_issue_file(SAMPLE)
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        apps = {}
        for size in SIZES:
            started = time.perf_counter()
            apps[size] = make_archive(root / f"archive-{size}", size, sample)
            print(f"archive of {size} issues stored in {time.perf_counter() - started:.1f}s")
        times: dict[int, list[float]] = {size: [] for size in SIZES}
        # One warm-up publish each (template compilation, caches), then alternate
        # the two archives so drift in the machine's speed hits both alike.
        for round_ in range(ROUNDS + 1):
            for size in SIZES:
                number = size + 1 + round_
                elapsed = publish(apps[size], issue_file(root, number))
                if round_:
                    times[size].append(elapsed)
        for app in apps.values():
            app.close()
    medians = {size: statistics.median(values) for size, values in times.items()}
    for size in SIZES:
        spread = ", ".join(f"{t * 1000:.0f}" for t in sorted(times[size]))
        print(f"{size:>5} issues: median {medians[size] * 1000:.1f} ms (runs, ms: {spread})")
    ratio = medians[SIZES[1]] / medians[SIZES[0]]
    print(f"ratio: {ratio:.2f}")
    return 0 if ratio < LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
