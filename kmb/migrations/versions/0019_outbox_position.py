"""fetched messages get a position in their chat, given at commit

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.BigInteger(), nullable=True))
        batch_op.create_index(
            "ix_outbox_message_position", ["channel", "chat_id", "position"], unique=False
        )
    # PostgreSQL gives positions at commit, from the ids' sequence; messages stored so
    # far keep their ids as positions, so a widget's cursor stays valid and new positions
    # come after them. (SQLite writes one transaction at a time: its ids stand for them.)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE outbox_message SET position = id")


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_position")
        batch_op.drop_column("position")
