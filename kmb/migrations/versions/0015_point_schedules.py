"""Staff's changes of a contact point's hours and closures

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import intake.db

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "point_schedule",
        sa.Column("point_id", sa.String(length=40), nullable=False),
        sa.Column("document", intake.db.JSONDocument, nullable=False),
        sa.Column("changed_by", sa.String(length=60), nullable=False),
        sa.Column("changed_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("point_id", name=op.f("pk_point_schedule")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("point_schedule")
