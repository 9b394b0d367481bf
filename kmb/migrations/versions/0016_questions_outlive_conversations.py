"""questions outlive their conversation

A question's text is erased with the person, but the question itself stays as an
anonymous count: the conversation it came from may be deleted (an ended widget
session, the retention period), so the link becomes NULL instead of taking the
question with it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("unanswered_question", "answered_question")


def _relink(table: str, *, nullable: bool, ondelete: str) -> None:
    name = f"fk_{table}_conversation_id_conversation"
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(name, type_="foreignkey")
        batch_op.alter_column("conversation_id", existing_type=sa.Integer(), nullable=nullable)
        batch_op.create_foreign_key(
            name, "conversation", ["conversation_id"], ["id"], ondelete=ondelete
        )


def upgrade() -> None:
    """Upgrade schema."""
    for table in TABLES:
        _relink(table, nullable=True, ondelete="SET NULL")


def downgrade() -> None:
    """Downgrade schema."""
    for table in TABLES:
        op.execute(f"DELETE FROM {table} WHERE conversation_id IS NULL")
        _relink(table, nullable=False, ondelete="CASCADE")
