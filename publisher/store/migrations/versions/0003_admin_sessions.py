"""The console's session generations: logging out ends every session of an editor.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the table of session generations (empty: every editor starts at 0)."""
    # A database that create_all made with this code but stamped at an older
    # revision (an unversioned one is matched by its article columns) has it already.
    if "admin_sessions" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "admin_sessions",
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user"),
    )


def downgrade() -> None:
    """Drop it; sessions then last until their cookie expires, as before."""
    op.drop_table("admin_sessions")
