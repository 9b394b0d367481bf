"""staff accounts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import intake.db

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "staff_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", intake.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_account")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_account_username")),
    )
    op.create_table(
        "staff_refresh_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", intake.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_account.id"],
            name=op.f("fk_staff_refresh_token_account_id_staff_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_refresh_token_token_hash")),
    )
    with op.batch_alter_table("staff_refresh_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_refresh_token_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("staff_refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_refresh_token_account_id"))

    op.drop_table("staff_refresh_token")
    op.drop_table("staff_account")
