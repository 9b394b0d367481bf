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
    # Messages stored so far keep their order: a widget's cursor (an id until now)
    # stays valid, and positions given from now on come after every one of them.
    op.execute("UPDATE outbox_message SET position = id")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE outbox_position")
        op.execute(
            "SELECT setval('outbox_position', "
            "(SELECT coalesce(max(id), 0) + 1 FROM outbox_message), false)"
        )


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE outbox_position")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_position")
        batch_op.drop_column("position")
