"""hand-off to staff

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import intake.db

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handoff_to", sa.String(length=60), nullable=True))

    with op.batch_alter_table("intake_case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("replied_at", intake.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_intake_case_replied_at"), ["replied_at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("intake_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_case_replied_at"))
        batch_op.drop_column("replied_at")

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("handoff_to")
