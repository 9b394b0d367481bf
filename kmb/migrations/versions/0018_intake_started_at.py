"""when the intake of a chat's current person, and of each case, began

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import intake.db

# revision identifiers, used by Alembic.
revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("conversation", "intake_case")


def upgrade() -> None:
    """Upgrade schema."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("intake_started_at", intake.db.UTCDateTime(timezone=True), nullable=True)
            )

    with op.batch_alter_table("intake_case", schema=None) as batch_op:
        batch_op.create_index("ix_intake_case_chat", ["channel", "chat_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("intake_case", schema=None) as batch_op:
        batch_op.drop_index("ix_intake_case_chat")
    # In place (SQLite 3.35+): a rebuild could not copy intake_case's generated column.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.drop_column("intake_started_at")
