"""The issue archive: store, fetch and list issues, keyed by (publication, number)."""

from __future__ import annotations

import builtins
import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from publisher.errors import ConflictError, NotFoundError
from publisher.images import ImageFile, ImageInfo
from publisher.model import Article, Figure, Issue
from publisher.store.db import Database, utcnow
from publisher.store.tables import ArticleRow, ImageRow, IssueRow, PublicationRow

SaveStatus = Literal["stored", "unchanged", "replaced"]
# ``(issue, source_name, source_text)``, optionally with the issue's image files; without
# them (an upload through the console) the images already stored are kept.
SaveItem = tuple[Issue, str, str] | tuple[Issue, str, str, Sequence[ImageFile]]

# How often a new publication's row is tried when others are being made at once.
_CREATE_ATTEMPTS = 3

# Below this similarity a replaced article counts as new and gets a new slug.
SAME_ARTICLE_RATIO = 0.6

# Pinyin takes several letters per character: a long name's slug is cut to this, which
# leaves room for a "-2" suffix within the column's 200 (enforced by PostgreSQL).
MAX_SLUG = 100


@dataclass(frozen=True)
class SaveResult:
    """What ``Archive.save`` did, and the issue as stored (with its slugs)."""

    status: SaveStatus
    issue: Issue


@dataclass(frozen=True)
class IssueSummary:
    """One line of the archive's listing."""

    publication: str
    publication_slug: str
    number: int
    date: str
    articles: int
    title: str  # the lead article's title


@dataclass(frozen=True)
class StoredIssue:
    """An issue with what the renderers need beyond its content."""

    issue: Issue
    publication_slug: str
    updated_at: dt.datetime  # when its content last changed; the version a build renders
    images: tuple[ImageInfo, ...] = ()  # the stored files of its figures, without their bytes


class Archive:
    """The stored issues of every publication in one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save(
        self,
        issue: Issue,
        *,
        source_name: str = "",
        source_text: str = "",
        replace: bool = False,
        images: Sequence[ImageFile] | None = None,
    ) -> SaveResult:
        """Store ``issue``; refuse different content for an existing number unless ``replace``.

        ``images`` are the files of its figures; None keeps those already stored.
        """
        item: SaveItem = (
            (issue, source_name, source_text)
            if images is None
            else (issue, source_name, source_text, images)
        )
        return self.save_all([item], replace=replace)[0]

    def save_all(
        self, items: Sequence[SaveItem], *, replace: bool = False
    ) -> builtins.list[SaveResult]:
        """Store several issues (see ``SaveItem``) at once, with their images: all or none."""
        with self.db.session() as session:
            return [
                self._save(
                    session,
                    item[0],
                    item[1],
                    item[2],
                    item[3] if len(item) == 4 else None,
                    replace=replace,
                )
                for item in items
            ]

    def _save(
        self,
        session: Session,
        issue: Issue,
        source_name: str,
        source_text: str,
        images: Sequence[ImageFile] | None,
        *,
        replace: bool,
    ) -> SaveResult:
        publication = self._publication_row(session, issue.publication, create=True)
        row = session.scalar(
            select(IssueRow).where(
                IssueRow.publication_id == publication.id, IssueRow.number == issue.number
            )
        )
        if row is not None:
            old = _issue_from_row(row)
            same_images = images is None or _image_key(images) == _image_key(
                _image_files(session, row.id)
            )
            if old.content_key() == issue.content_key() and same_images:
                return SaveResult("unchanged", old)
            if not replace:
                raise ConflictError(
                    f"issue {issue.number} of {issue.publication} is already stored "
                    "with different content",
                    "pass --replace to overwrite it",
                )
            issue = _keep_slugs(old.articles, issue)
            # Flush the old articles' removal first: the new ones reuse their slugs.
            row.articles.clear()
            session.flush()
            status: SaveStatus = "replaced"
        else:
            # The first ingest numbers articles in print order; those become permalinks.
            issue = _with_positional_slugs(issue)
            row = IssueRow(publication_id=publication.id, number=issue.number)
            session.add(row)
            status = "stored"
        _fill_row(row, issue, source_name, source_text)
        session.flush()
        if images is not None:
            _replace_images(session, row.id, images)
        return SaveResult(status, issue)

    def get(self, number: int, publication: str | None = None) -> Issue:
        """The stored issue ``number``; ``publication`` may be omitted when there is only one."""
        with self.db.session() as session:
            return _issue_from_row(self._issue_row(session, number, publication))

    def list(self, publication: str | None = None) -> builtins.list[IssueSummary]:
        """Stored issues, newest first (by date, then number)."""
        with self.db.session() as session:
            query = select(IssueRow).join(PublicationRow)
            if publication is not None:
                query = query.where(
                    PublicationRow.id == self._publication_row(session, publication).id
                )
            query = query.order_by(IssueRow.date.desc(), IssueRow.number.desc())
            return [
                IssueSummary(
                    publication=row.publication.name,
                    publication_slug=row.publication.slug,
                    number=row.number,
                    date=row.date.isoformat(),
                    articles=len(row.articles),
                    title=row.articles[0].title if row.articles else "",
                )
                for row in session.scalars(query)
            ]

    def stored(self, number: int, publication: str | None = None) -> StoredIssue:
        """The stored issue ``number`` with its publication slug and version."""
        with self.db.session() as session:
            return _stored_from_row(session, self._issue_row(session, number, publication))

    def images(self, number: int, publication: str | None = None) -> builtins.list[ImageFile]:
        """The stored image files of issue ``number``'s figures, with their bytes."""
        with self.db.session() as session:
            return _image_files(session, self._issue_row(session, number, publication).id)

    def issue_id(self, number: int, publication: str | None = None) -> int:
        """The database id of issue ``number``: what sends of its digest refer to."""
        with self.db.session() as session:
            return self._issue_row(session, number, publication).id

    def recent(self, publication: str, limit: int) -> builtins.list[StoredIssue]:
        """The newest ``limit`` issues of ``publication``, newest first (an indexed query)."""
        with self.db.session() as session:
            pub = self._publication_row(session, publication)
            query = (
                select(IssueRow)
                .where(IssueRow.publication_id == pub.id)
                .order_by(IssueRow.date.desc(), IssueRow.number.desc())
                .limit(limit)
            )
            return [_stored_from_row(session, row) for row in session.scalars(query)]

    def summaries(
        self, publication: str, first: dt.date, last: dt.date
    ) -> builtins.list[IssueSummary]:
        """Issues dated ``first`` to ``last`` inclusive, newest first, without their text."""
        with self.db.session() as session:
            pub = self._publication_row(session, publication)
            count = (
                select(func.count(ArticleRow.id))
                .where(ArticleRow.issue_id == IssueRow.id)
                .scalar_subquery()
            )
            lead = (
                select(ArticleRow.title)
                .where(ArticleRow.issue_id == IssueRow.id, ArticleRow.position == 0)
                .scalar_subquery()
            )
            query = (
                select(IssueRow.number, IssueRow.date, count, lead)
                .where(IssueRow.publication_id == pub.id, IssueRow.date.between(first, last))
                .order_by(IssueRow.date.desc(), IssueRow.number.desc())
            )
            return [
                IssueSummary(pub.name, pub.slug, number, date.isoformat(), articles, title or "")
                for number, date, articles, title in session.execute(query)
            ]

    def date_range(self, publication: str) -> tuple[dt.date, dt.date] | None:
        """The dates of the oldest and newest issue of ``publication``, if it has any."""
        with self.db.session() as session:
            pub = self._publication_row(session, publication)
            where = IssueRow.publication_id == pub.id
            first = session.scalar(select(func.min(IssueRow.date)).where(where))
            last = session.scalar(select(func.max(IssueRow.date)).where(where))
            return None if first is None or last is None else (first, last)

    def unbuilt(self) -> builtins.list[tuple[str, int]]:
        """``(publication, number)`` of every issue changed since its pages were last built."""
        with self.db.session() as session:
            query = (
                select(PublicationRow.name, IssueRow.number)
                .join(IssueRow.publication)
                .where(or_(IssueRow.built_at.is_(None), IssueRow.built_at < IssueRow.updated_at))
                .order_by(IssueRow.date, IssueRow.number)
            )
            return [(name, number) for name, number in session.execute(query)]

    def mark_built(self, publication: str, number: int, version: dt.datetime) -> None:
        """Record that ``version`` (an ``updated_at``) of the issue is what the site shows.

        Recording the version rather than the clock means an issue replaced
        while it was being built still counts as changed.
        """
        with self.db.session() as session:
            pub = self._publication_row(session, publication)
            session.execute(
                update(IssueRow)
                .where(IssueRow.publication_id == pub.id, IssueRow.number == number)
                .values(built_at=version)
            )

    def publications(self) -> builtins.list[str]:
        """Names of every publication in the archive."""
        with self.db.session() as session:
            return list(session.scalars(select(PublicationRow.name).order_by(PublicationRow.id)))

    def publication_slug(self, publication: str) -> str:
        """The ASCII slug used in URLs for ``publication``."""
        with self.db.session() as session:
            return self._publication_row(session, publication).slug

    def _publication_row(
        self, session: Session, name: str | None, *, create: bool = False
    ) -> PublicationRow:
        if name is None:
            rows = list(session.scalars(select(PublicationRow)))
            if len(rows) == 1:
                return rows[0]
            if not rows:
                raise NotFoundError("the archive is empty", "ingest an issue first")
            names = ", ".join(r.name for r in rows)
            raise NotFoundError(
                f"the archive holds several publications ({names})",
                "choose one with --publication NAME",
            )
        by_name = select(PublicationRow).where(PublicationRow.name == name)
        row = session.scalar(by_name)
        if row is not None:
            return row
        if not create:
            raise NotFoundError(f"no publication named {name!r} in the archive")
        # Another process may store the first issue of the same (or a same-slug)
        # publication at this moment: then our row is refused as a duplicate, and
        # we take theirs, or choose the slug again.
        attempt = 0
        while True:
            attempt += 1
            taken = set(session.scalars(select(PublicationRow.slug)))
            row = PublicationRow(name=name, slug=_unique_slug(name, taken))
            try:
                with session.begin_nested():
                    session.add(row)
            except IntegrityError:
                if (theirs := session.scalar(by_name)) is not None:
                    return theirs
                if attempt == _CREATE_ATTEMPTS:
                    raise
                continue
            return row

    def _issue_row(self, session: Session, number: int, publication: str | None) -> IssueRow:
        pub = self._publication_row(session, publication)
        row = session.scalar(
            select(IssueRow).where(IssueRow.publication_id == pub.id, IssueRow.number == number)
        )
        if row is None:
            raise NotFoundError(
                f"issue {number} of {pub.name} is not in the archive",
                "list stored issues with 'publisher issues'",
            )
        return row


def slugify_publication(name: str) -> str:
    """An ASCII slug for a publication name: Chinese becomes pinyin (新即墨 → xinjimo)."""
    # Imported here: its dictionaries take a tenth of a second to load, and only
    # a new publication needs them, not every command.
    from pypinyin import lazy_pinyin

    text = "".join(lazy_pinyin(name)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _unique_slug(name: str, taken: set[str]) -> str:
    base = slugify_publication(name)[:MAX_SLUG].rstrip("-") or "publication"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _keep_slugs(old: tuple[Article, ...], new: Issue) -> Issue:
    """Give each replaced article the slug of the old article it most resembles.

    An editor fixing a typo must not break permalinks; an article that matches
    nothing old gets a fresh slug that was never used in this issue.
    """

    def fingerprint(a: Article) -> str:
        return f"{a.kicker or ''}|{a.title}|{a.paragraphs[0][:200] if a.paragraphs else ''}"

    pairs = sorted(
        (
            (difflib.SequenceMatcher(None, fingerprint(o), fingerprint(n)).ratio(), i, j)
            for i, n in enumerate(new.articles)
            for j, o in enumerate(old)
        ),
        reverse=True,
    )
    slugs: dict[int, str] = {}
    used_old: set[int] = set()
    for ratio, i, j in pairs:
        if ratio < SAME_ARTICLE_RATIO:
            break
        if i not in slugs and j not in used_old:
            slugs[i] = old[j].slug
            used_old.add(j)
    taken = {a.slug for a in old}
    next_number = max((int(s) for s in taken if s.isdigit()), default=0) + 1
    articles = []
    for i, article in enumerate(new.articles):
        if i not in slugs:
            slugs[i] = str(next_number)
            next_number += 1
        articles.append(replace(article, slug=slugs[i]))
    return replace(new, articles=tuple(articles))


def _with_positional_slugs(issue: Issue) -> Issue:
    articles = tuple(replace(a, slug=str(i)) for i, a in enumerate(issue.articles, start=1))
    return replace(issue, articles=articles)


def _fill_row(row: IssueRow, issue: Issue, source_name: str, source_text: str) -> None:
    """Write ``issue`` into ``row`` in place, so the row's id (which sends refer to) never changes."""
    row.date = issue.date
    row.weekday = issue.weekday
    row.lunar_date = issue.lunar_date
    row.organizers = list(issue.organizers)
    row.publisher = issue.publisher
    row.extra = issue.extra
    row.source_name = source_name
    row.source_text = source_text
    row.updated_at = utcnow()
    row.articles = [
        ArticleRow(
            position=position,
            slug=a.slug,
            kicker=a.kicker,
            title=a.title,
            subtitle=a.subtitle,
            authors=list(a.authors),
            paragraphs=list(a.paragraphs),
            untitled=a.untitled,
            source=a.source,
            page=a.page,
            page_name=a.page_name,
            figures=[f.to_json() for f in a.figures],
            note=a.note,
            quotes=list(a.quotes),
        )
        for position, a in enumerate(issue.articles)
    ]


def _stored_from_row(session: Session, row: IssueRow) -> StoredIssue:
    query = (
        select(ImageRow.name, ImageRow.media_type, func.length(ImageRow.data))
        .where(ImageRow.issue_id == row.id)
        .order_by(ImageRow.name)
    )
    images = tuple(ImageInfo(n, t, size) for n, t, size in session.execute(query))
    return StoredIssue(_issue_from_row(row), row.publication.slug, row.updated_at, images)


def _image_files(session: Session, issue_id: int) -> list[ImageFile]:
    query = select(ImageRow).where(ImageRow.issue_id == issue_id).order_by(ImageRow.name)
    return [ImageFile(r.name, r.media_type, r.data) for r in session.scalars(query)]


def _image_key(images: Sequence[ImageFile]) -> set[tuple[str, str, bytes]]:
    return {(i.name, i.media_type, i.data) for i in images}


def _replace_images(session: Session, issue_id: int, images: Sequence[ImageFile]) -> None:
    session.execute(delete(ImageRow).where(ImageRow.issue_id == issue_id))
    # One row per name: a photo printed twice is stored once.
    unique = {i.name: i for i in images}
    session.add_all(
        ImageRow(issue_id=issue_id, name=i.name, media_type=i.media_type, data=i.data)
        for i in unique.values()
    )
    session.flush()


def _issue_from_row(row: IssueRow) -> Issue:
    return Issue(
        publication=row.publication.name,
        number=row.number,
        date=row.date,
        weekday=row.weekday,
        lunar_date=row.lunar_date,
        organizers=tuple(row.organizers),
        publisher=row.publisher,
        extra=dict(row.extra),
        articles=tuple(
            Article(
                slug=a.slug,
                kicker=a.kicker,
                title=a.title,
                subtitle=a.subtitle,
                authors=tuple(a.authors),
                paragraphs=tuple(a.paragraphs),
                untitled=a.untitled,
                source=a.source,
                page=a.page,
                page_name=a.page_name,
                figures=tuple(Figure(**f) for f in a.figures),
                note=a.note,
                quotes=tuple(a.quotes),
            )
            for a in row.articles
        ),
    )
