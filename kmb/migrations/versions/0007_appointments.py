"""appointments

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import intake.db

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "blocked_time",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.String(length=40), nullable=False),
        sa.Column("starts_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocked_time")),
    )
    with op.batch_alter_table("blocked_time", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blocked_time_point_id"), ["point_id"], unique=False)

    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.String(length=40), nullable=False),
        sa.Column("starts_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("booked_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", intake.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["intake_case.id"],
            name=op.f("fk_appointment_case_id_intake_case"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_appointment_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointment_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_appointment_seat",
            ["point_id", "starts_at", "seat"],
            unique=True,
            sqlite_where=sa.text("status IN ('booked', 'attended', 'no_show')"),
            postgresql_where=sa.text("status IN ('booked', 'attended', 'no_show')"),
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_appointment_seat",
            sqlite_where=sa.text("status IN ('booked', 'attended', 'no_show')"),
            postgresql_where=sa.text("status IN ('booked', 'attended', 'no_show')"),
        )
        batch_op.drop_index(batch_op.f("ix_appointment_status"))
        batch_op.drop_index(batch_op.f("ix_appointment_starts_at"))
        batch_op.drop_index(batch_op.f("ix_appointment_person_id"))
        batch_op.drop_index(batch_op.f("ix_appointment_case_id"))

    op.drop_table("appointment")
    with op.batch_alter_table("blocked_time", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blocked_time_point_id"))

    op.drop_table("blocked_time")
