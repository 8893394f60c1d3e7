"""Building the site: the I/O edge that reads the archive and writes pages, feeds and digests.

A build touches only what an issue changes: the issue's own pages, its
year's listing, the publication's front page and feeds (both bounded by
``[site] feed_issues``) and the site's root. None of these grows with the
archive, so publishing issue 3,001 costs what publishing issue 31 did.

Each issue, each publication's listings and feeds, and the site's root are
built in isolation: one that fails (a stored issue the renderer cannot take)
is logged with its name and left unbuilt, and the rest of the build goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from publisher.app import Publisher
from publisher.errors import RenderError
from publisher.images import ImageFile, site_name
from publisher.render import feeds, jsonfeed, pages
from publisher.render.digest import web_digest
from publisher.render.files import write_atomic
from publisher.render.leftovers import sweep_temporaries
from publisher.render.links import FEEDS, PAGE, STYLESHEET, Links
from publisher.render.templating import TEMPLATES
from publisher.render.text import clean_one_line
from publisher.render.view import IssueView, stored_view, summary_view

STYLESHEET_SOURCE = TEMPLATES / "site.css"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuiltIssue:
    """One issue whose pages were written."""

    publication: str
    number: int
    page: Path  # the issue's table of contents


@dataclass(frozen=True)
class BuildFailure:
    """What could not be built, and why: an issue, a publication's listings, or the root."""

    publication: str | None  # None: the site's root
    number: int | None  # None: the publication's listings and feeds
    error: str


@dataclass
class BuildReport:
    """What a build wrote, and what it could not build."""

    issues: list[BuiltIssue] = field(default_factory=list)
    feeds: list[Path] = field(default_factory=list)
    changed: list[Path] = field(default_factory=list)  # files whose content changed
    failed: list[BuildFailure] = field(default_factory=list)


def build_changed(app: Publisher) -> BuildReport:
    """Build every issue changed (or never built) since the last build."""
    return build_issues(app, app.archive.unbuilt())


def build_all(app: Publisher) -> BuildReport:
    """Rebuild every issue, e.g. after the templates or ``[site] base_url`` changed."""
    return build_issues(app, [(s.publication, s.number) for s in app.archive.list()])


def build_issue(app: Publisher, number: int, publication: str | None = None) -> BuildReport:
    """Build one issue, whether or not it changed."""
    issue = app.archive.get(number, publication)
    return build_issues(app, [(issue.publication, number)])


def build_issues(app: Publisher, keys: Iterable[tuple[str, int]]) -> BuildReport:
    """Build the issues named by ``(publication, number)`` and what lists them."""
    by_publication: dict[str, list[int]] = defaultdict(list)
    for publication, number in keys:
        by_publication[publication].append(number)
    report = BuildReport()
    if not by_publication:
        return report
    site = _Site(app, report)
    for publication, numbers in by_publication.items():
        with site.isolated(publication):
            site.publication(publication, numbers)
    with site.isolated(None):
        site.root()
    return report


class _Site:
    """One build's writer: resolves paths under the site directory and records what changed."""

    def __init__(self, app: Publisher, report: BuildReport) -> None:
        self.app = app
        self.settings = app.settings
        self.root_dir = app.settings.site_dir
        self.report = report
        self.swept: set[Path] = set()  # directories cleared of a killed build's temporary files

    def write(self, path: PurePosixPath, content: str | bytes) -> Path:
        target = self.root_dir.joinpath(*path.parts)
        if target.parent not in self.swept:
            self.swept.add(target.parent)
            sweep_temporaries(target.parent)
        if write_atomic(target, content, public_root=self.root_dir):
            self.report.changed.append(target)
        return target

    @contextmanager
    def isolated(self, publication: str | None, number: int | None = None) -> Iterator[None]:
        """Run one part of the build; a failure is logged and recorded, not raised.

        Any exception, not only ours: the point is that one stored issue the
        renderer chokes on cannot stop every later build, and the sends after it.
        Except a site that cannot be written (a full disk, a file where a
        directory should be): that is no issue's fault, and the build stops on it.
        """
        try:
            yield
        except (RenderError, OSError):
            raise
        except Exception as error:  # isolation is the purpose: anything may fail
            reason = f"{type(error).__name__}: {error}"
            self.report.failed.append(BuildFailure(publication, number, reason))
            what = "the site's root" if publication is None else repr(publication)
            if number is not None:
                what += f" issue {number}"
            log.error(
                f"cannot build {what}: {reason}",
                extra={"publication": publication, "number": number, "error": reason},
                exc_info=log.isEnabledFor(logging.DEBUG),
            )

    def publication(self, publication: str, numbers: list[int]) -> None:
        archive = self.app.archive
        links = Links(self.settings.site.base_url, archive.publication_slug(publication))
        chrome = pages.chrome(
            links, clean_one_line(publication), self.settings.publication.language
        )
        built = []
        years: set[int] = set()
        for number in numbers:
            with self.isolated(publication, number):
                stored = archive.stored(number, publication)
                view = stored_view(stored, self.settings)
                self.images(archive.images(number, publication), number, links)
                page = self.issue(view, links, chrome)
                self.report.issues.append(BuiltIssue(publication, number, page))
                built.append((number, stored.updated_at))
                years.add(view.date.year)

        all_years = self.years(publication, links, years)
        for year in sorted(years):
            self.year(publication, year, all_years, links, chrome)
        recent = [
            stored_view(s, self.settings)
            for s in archive.recent(publication, self.settings.site.feed_issues)
        ]
        self.front(recent, all_years, links, chrome)
        # Only now is every page that lists these issues up to date.
        for number, version in built:
            archive.mark_built(publication, number, version)

    def years(self, publication: str, links: Links, building: set[int]) -> list[int]:
        """Years that have a listing page, newest first.

        The calendar between the oldest and newest issue comes from two
        indexed queries; a year inside it without issues has no page, which a
        look at the site directory tells without scanning the archive.
        """
        span = self.app.archive.date_range(publication)
        if span is None:
            return []
        return [
            year
            for year in range(span[1].year, span[0].year - 1, -1)
            if year in building or self.root_dir.joinpath(*links.year(year).parts).is_file()
        ]

    def images(self, images: list[ImageFile], number: int, links: Links) -> None:
        """Write the issue's photos beside its pages, under names safe for any file system.

        Photos an editor removed by replacing the issue are deleted: the
        ``images`` directory holds only what we wrote.
        """
        names = set()
        for image in images:
            path = links.image(number, site_name(image.name, image.media_type))
            self.write(path, image.data)
            names.add(path.name)
        directory = self.root_dir.joinpath(*links.image_dir(number).parts)
        if directory.is_dir():
            for child in directory.iterdir():
                if child.is_file() and child.name not in names:
                    child.unlink()

    def issue(self, view: IssueView, links: Links, chrome: pages.Chrome) -> Path:
        for position, article in enumerate(view.articles):
            self.write(
                links.article(view.number, article.slug), pages.article_page(chrome, view, position)
            )
        full_text = self.settings.email.full_text
        self.write(links.web_digest(view.number), web_digest(view, full_text=full_text))
        page = self.write(links.issue(view.number), pages.issue_page(chrome, view))
        _prune_articles(page.parent, {a.slug for a in view.articles})
        return page

    def year(
        self, publication: str, year: int, years: list[int], links: Links, chrome: pages.Chrome
    ) -> None:
        summaries = self.app.archive.summaries(
            publication, dt.date(year, 1, 1), dt.date(year, 12, 31)
        )
        views = [summary_view(s, links) for s in summaries]
        self.write(links.year(year), pages.year_page(chrome, year, views, years, links))

    def front(
        self, recent: list[IssueView], years: list[int], links: Links, chrome: pages.Chrome
    ) -> None:
        self.write(links.index(), pages.index_page(chrome, recent, years, links))
        documents = {
            "atom": feeds.atom_feed(recent, links),
            "rss": feeds.rss_feed(recent, links),
            "json": jsonfeed.json_feed(recent, links),
            "issues": feeds.issues_feed(recent, links),
        }
        for kind in FEEDS:
            self.report.feeds.append(self.write(links.feed(kind), documents[kind]))

    def root(self) -> None:
        base_url = self.settings.site.base_url
        archive = self.app.archive
        publications = []
        for name in archive.publications():
            links = Links(base_url, archive.publication_slug(name))
            publications.append((clean_one_line(name), links.url(links.index())))
        home = pages.home_page(base_url, self.settings.publication.language, publications)
        self.write(PurePosixPath(PAGE), home)
        self.write(PurePosixPath(STYLESHEET), STYLESHEET_SOURCE.read_bytes())


def _prune_articles(issue_dir: Path, slugs: set[str]) -> None:
    """Remove pages of articles an editor deleted when replacing the issue.

    Only directories holding nothing but a page we wrote are removed, so
    files someone put beside the site are never touched.
    """
    for child in issue_dir.iterdir():
        if child.is_dir() and child.name not in slugs:
            entries = list(child.iterdir())
            if [e.name for e in entries] == [PAGE]:
                entries[0].unlink()
                child.rmdir()
