"""Where every rendered thing lives: its path under the site directory and its URL.

One scheme for pages, feeds and mail, so a permalink printed in a digest is
the page the site builder wrote. Permalinks and entry ids are built from the
publication slug, the issue number and the article slug only, which the
archive keeps stable when an issue is replaced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote, urlsplit

FEEDS = {
    "atom": "feeds/atom.xml",
    "rss": "feeds/rss.xml",
    "json": "feeds/feed.json",
    "issues": "feeds/issues.atom.xml",
}
STYLESHEET = "assets/site.css"
PAGE = "index.html"
ARCHIVE = "archive"
IMAGES = "images"
WEB_DIGEST = "email.html"
# tag: URIs carry a date on which the authority owned the name: the year this scheme began.
TAG_YEAR = "2026"


@dataclass(frozen=True)
class Links:
    """Paths (relative to the site directory) and absolute URLs of one publication."""

    base_url: str  # ends with "/"
    publication_slug: str

    def path(self, *parts: str | int) -> PurePosixPath:
        """A path inside this publication's part of the site."""
        return PurePosixPath(_segment(self.publication_slug), *(_segment(p) for p in parts))

    def url(self, path: PurePosixPath) -> str:
        """The absolute URL of ``path``, with ``index.html`` left implicit."""
        text = str(path)
        if path.name == PAGE:
            text = str(path.parent) + "/"
        return self.base_url + quote(text)

    def index(self) -> PurePosixPath:
        """The publication's front page: the newest issues."""
        return self.path(PAGE)

    def year(self, year: int) -> PurePosixPath:
        """The page listing every issue of ``year``.

        Under ``archive/``: a bare ``2023/`` would be the page of issue 2023.
        """
        return self.path(ARCHIVE, f"{year:04d}", PAGE)

    def issue(self, number: int) -> PurePosixPath:
        """The issue's table of contents."""
        return self.path(number, PAGE)

    def article(self, number: int, slug: str) -> PurePosixPath:
        """The article's permalink page."""
        return self.path(number, slug, PAGE)

    def web_digest(self, number: int) -> PurePosixPath:
        """The digest as a web page, for readers whose mail client mangles it."""
        return self.path(number, WEB_DIGEST)

    def image_dir(self, number: int) -> PurePosixPath:
        """The directory of an issue's photos: only files the build wrote."""
        return self.path(number, IMAGES)

    def image(self, number: int, name: str) -> PurePosixPath:
        """A figure's image file, beside its issue (``name`` from ``images.site_name``)."""
        return self.path(number, IMAGES, name)

    def feed(self, kind: str) -> PurePosixPath:
        """One of the feeds named in ``FEEDS``."""
        return self.path(*FEEDS[kind].split("/"))

    def entry_id(self, date: dt.date, number: int, slug: str | None = None) -> str:
        """A tag: URI (RFC 4151) naming an issue or article for ever.

        Built from the site's host, the issue's date and the stable keys, not
        from the content, so re-rendering or replacing an issue keeps it.
        """
        host = urlsplit(self.base_url).hostname or "localhost"
        specific = f"{self.publication_slug}/{number}" + (f"/{slug}" if slug else "")
        return f"tag:{host},{date.isoformat()}:{quote(specific)}"

    def feed_id(self, kind: str) -> str:
        """The tag: URI of a whole feed."""
        host = urlsplit(self.base_url).hostname or "localhost"
        return f"tag:{host},{TAG_YEAR}:{quote(self.publication_slug)}/{kind}"


def stylesheet(base_url: str) -> str:
    """The URL of the site's one stylesheet, shared by every publication."""
    return base_url + STYLESHEET


def _segment(part: str | int) -> str:
    # Slugs come from the database; never let one climb out of its directory.
    text = str(part)
    if not text or text in {".", ".."} or "/" in text or "\\" in text:
        raise ValueError(f"unsafe path segment {text!r}")
    return text
