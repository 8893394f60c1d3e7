"""What the parser understood: an issue's pages and the doubts an editor should read.

``publisher check``, ``publisher ingest`` and the console's upload preview all
show this, so the three agree. The parser's own doubts come with the parsed
issue; the two that need the archive (a lower number, an older date) are added
here. Nothing in this module writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from publisher.app import Publisher
from publisher.errors import NotFoundError
from publisher.i18n import Catalog
from publisher.model import Article, Issue
from publisher.parse.doubts import Doubt
from publisher.store.archive import Archive


@dataclass(frozen=True)
class Page:
    """A run of articles printed on one page (版); ``page`` is None when the text did not say."""

    page: str | None
    name: str | None
    articles: tuple[Article, ...]


def pages(issue: Issue) -> list[Page]:
    """The issue's articles grouped by page, in reading order.

    Consecutive articles with the same page and page name form one group, so an
    issue whose pages are unknown is a single group.
    """
    groups: list[Page] = []
    for article in issue.articles:
        last = groups[-1] if groups else None
        if last is not None and (last.page, last.name) == (article.page, article.page_name):
            groups[-1] = Page(last.page, last.name, (*last.articles, article))
        else:
            groups.append(Page(article.page, article.page_name, (article,)))
    return groups


def page_heading(t: Catalog, page: Page) -> str:
    """How a page is named in an outline: ``第3版 要闻``, ``A2版 综合``, or a dash when unknown."""
    if page.page is None:
        head = t("check.page.unknown")
    elif page.page[0].isascii() and page.page[0].isalpha():
        head = t("check.page.lettered", page=page.page)  # A2版: a section letter takes no 第
    else:
        head = t("check.page", page=page.page)
    return f"{head} {page.name}" if page.name else head


def archive_doubts(archive: Archive | None, issue: Issue) -> list[Doubt]:
    """Doubts about ``issue`` against the newest stored issue of its publication.

    None without an archive or a stored issue of the publication, and none when
    this very number is stored already: storing it again corrects that issue.
    """
    if archive is None or issue.publication not in archive.publications():
        return []
    try:
        archive.issue_id(issue.number, issue.publication)
        return []
    except NotFoundError:
        pass
    newest = archive.recent(issue.publication, 1)
    if not newest:
        return []
    last = newest[0].issue
    doubts = []
    if issue.number < last.number:
        doubts.append(Doubt("number-lower", issue.publication, {"last": str(last.number)}))
    if issue.date < last.date:
        doubts.append(Doubt("date-older", issue.publication, {"last": last.date.isoformat()}))
    return doubts


def existing_archive(app: Publisher) -> Archive | None:
    """The archive if its database exists; None rather than creating a SQLite file.

    Checking a file must leave no trace, not even an empty ``var/publisher.db``.
    """
    if "db" not in app.__dict__:  # not opened yet by this process
        url = make_url(app.settings.database_url)
        if url.get_backend_name() == "sqlite":
            database = url.database
            if not database or database == ":memory:" or not Path(database).is_file():
                return None
    return app.archive


def doubt_message(t: Catalog, doubt: Doubt) -> str:
    """The doubt in the catalog's words (``doubt.<code>``), with its subject and details."""
    values: dict[str, Any] = {**doubt.detail, "subject": doubt.subject, "code": doubt.code}
    if (reason := f"reason.{doubt.detail.get('reason')}") in t:
        values["reason"] = t(reason)  # a reason is a code: say it in the editor's language
    key = f"doubt.{doubt.code}"
    if key in t:
        try:
            return t(key, **values)
        except (KeyError, IndexError):
            pass  # the parser gave other details than the catalog expects: say it plainly
    return t("doubt.unknown", **values)


def warnings_json(t: Catalog, doubts: list[Doubt] | tuple[Doubt, ...]) -> list[dict[str, Any]]:
    """The ``warnings`` of ``check --json``: each doubt's fields plus its ``message``."""
    return [{**doubt.to_json(), "message": doubt_message(t, doubt)} for doubt in doubts]
