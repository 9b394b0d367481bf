"""web sessions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import intake.db

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "web_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_session")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_web_session_chat_id")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("web_session")
