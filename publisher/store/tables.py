"""Tables of the issue archive. Other packages add theirs to the same ``Base``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.store.db import Base, UTCDateTime, utcnow


class PublicationRow(Base):
    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)


class IssueRow(Base):
    __tablename__ = "issues"
    __table_args__ = (UniqueConstraint("publication_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    # Free text an editor may set in front matter: unbounded, as SQLite never enforced a
    # VARCHAR length and PostgreSQL refuses what exceeds one.
    weekday: Mapped[str | None] = mapped_column(Text)
    lunar_date: Mapped[str | None] = mapped_column(Text)
    organizers: Mapped[list[str]] = mapped_column(JSON, default=list)
    publisher: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_name: Mapped[str] = mapped_column(Text, default="")  # a file or upload name
    source_text: Mapped[str] = mapped_column(Text, default="")
    ingested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    built_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    publication: Mapped[PublicationRow] = relationship(lazy="joined")
    articles: Mapped[list[ArticleRow]] = relationship(
        order_by="ArticleRow.position", cascade="all, delete-orphan", lazy="selectin"
    )


class ArticleRow(Base):
    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("issue_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(String(100))
    kicker: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    subtitle: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    paragraphs: Mapped[list[str]] = mapped_column(JSON, default=list)
    untitled: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(Text)
    page: Mapped[str | None] = mapped_column(Text)
    page_name: Mapped[str | None] = mapped_column(Text)
    figures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    quotes: Mapped[list[int]] = mapped_column(JSON, default=list)


class ImageRow(Base):
    """An image file printed in an issue (a figure's ``src``), kept so any machine can build."""

    __tablename__ = "images"
    __table_args__ = (UniqueConstraint("issue_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # the figure's src, as written
    media_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
