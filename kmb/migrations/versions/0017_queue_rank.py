"""the queue's order as a column the database keeps

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As intake/models.py has it today (a migration keeps its own copy).
QUEUE_RANK = (
    "(CASE WHEN human_requested_at IS NULL THEN 10 ELSE 0 END) + "
    "(CASE urgency WHEN 'emergency' THEN 0 WHEN 'high' THEN 1 "
    "WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 9 END)"
)


def _recreate() -> str:
    """SQLite cannot add a stored generated column in place: the table is rebuilt
    there (kmb.database.schema_changes keeps foreign keys from cascading)."""
    return "always" if op.get_context().dialect.name == "sqlite" else "auto"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("intake_case", schema=None, recreate=_recreate()) as batch_op:
        batch_op.add_column(
            sa.Column("queue_rank", sa.Integer(), sa.Computed(QUEUE_RANK, persisted=True))
        )
        batch_op.create_index(
            "ix_intake_case_queue", ["queue_rank", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("intake_case", schema=None, recreate=_recreate()) as batch_op:
        batch_op.drop_index("ix_intake_case_queue")
        batch_op.drop_column("queue_rank")
