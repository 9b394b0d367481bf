"""appointment reminders

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import intake.db

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "appointment_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("hours_before", sa.Integer(), nullable=False),
        sa.Column("due_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done_at", intake.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_appointment_reminder_appointment_id_appointment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_reminder")),
        sa.UniqueConstraint(
            "appointment_id",
            "hours_before",
            name=op.f("uq_appointment_reminder_appointment_id_hours_before"),
        ),
    )
    with op.batch_alter_table("appointment_reminder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointment_reminder_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_appointment_reminder_due_at"), ["due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_appointment_reminder_status"), ["status"], unique=False
        )

    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("confirmed_at", intake.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_column("confirmed_at")

    with op.batch_alter_table("appointment_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_reminder_status"))
        batch_op.drop_index(batch_op.f("ix_appointment_reminder_due_at"))
        batch_op.drop_index(batch_op.f("ix_appointment_reminder_appointment_id"))

    op.drop_table("appointment_reminder")
