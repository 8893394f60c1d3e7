"""Articles carry source, page, page name, figures, an editor's note and quotes; images are kept.

The columns and the table of commit d959ca1.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

# Lists every stored article must have (the model reads them without a None check).
LISTS = ("figures", "quotes")


def upgrade() -> None:
    """Add the article columns, fill the lists of existing articles, then add the images."""
    with op.batch_alter_table("articles") as batch:
        for name in ("source", "page", "page_name", "figures", "note", "quotes"):
            kind = sa.JSON() if name in LISTS else sa.Text()
            batch.add_column(sa.Column(name, kind, nullable=True))
    articles = sa.table("articles", *(sa.column(name, sa.JSON()) for name in LISTS))
    op.execute(articles.update().values({name: [] for name in LISTS}))
    # Only now NOT NULL, as create_all makes them: SQLite does it by copying the table.
    with op.batch_alter_table("articles") as batch:
        for name in LISTS:
            batch.alter_column(name, existing_type=sa.JSON(), nullable=False)

    # The code of d959ca1, opening a database made before it, added this table
    # through create_all but none of the columns above: the table may be there.
    if "images" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issue_id", "name"),
        sa.ForeignKeyConstraint(["issue_id"], ["issues.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_images_issue_id", "images", ["issue_id"])


def downgrade() -> None:
    """Drop the images and the article columns."""
    op.drop_table("images")
    with op.batch_alter_table("articles") as batch:
        for name in ("quotes", "note", "figures", "page_name", "source", "page"):
            batch.drop_column(name)
