"""casework

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23

"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import intake.db

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("detail", intake.db.JSONDocument, nullable=False),
        sa.Column("created_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["intake_case.id"],
            name=op.f("fk_case_event_case_id_intake_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event")),
    )
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_event_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["intake_case.id"],
            name=op.f("fk_case_note_case_id_intake_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note")),
    )
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_note_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_program",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["intake_case.id"],
            name=op.f("fk_case_program_case_id_intake_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "program", name=op.f("pk_case_program")),
    )
    with op.batch_alter_table("case_program", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_program_program"), ["program"], unique=False)

    with op.batch_alter_table("intake_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("point_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("assigned_to", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("closed_at", intake.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("human_requested_at", intake.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_intake_case_assigned_to"), ["assigned_to"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_intake_case_human_requested_at"), ["human_requested_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_intake_case_point_id"), ["point_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_intake_case_assigned_to_staff_account"),
            "staff_account",
            ["assigned_to"],
            ["id"],
            ondelete="SET NULL",
        )
    _backfill_programs()


def _backfill_programs() -> None:
    """Cases registered before this revision get their programmes from their result."""
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, result FROM intake_case")).all()
    programs = [
        {"case_id": case_id, "program": program}
        for case_id, result in rows
        for program in dict.fromkeys(
            (json.loads(result) if isinstance(result, str) else result or {}).get("programs", [])
        )
    ]
    if programs:
        connection.execute(
            sa.text("INSERT INTO case_program (case_id, program) VALUES (:case_id, :program)"),
            programs,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("intake_case", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_intake_case_assigned_to_staff_account"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_intake_case_point_id"))
        batch_op.drop_index(batch_op.f("ix_intake_case_human_requested_at"))
        batch_op.drop_index(batch_op.f("ix_intake_case_assigned_to"))
        batch_op.drop_column("human_requested_at")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("outcome")
        batch_op.drop_column("assigned_to")
        batch_op.drop_column("point_id")

    with op.batch_alter_table("case_program", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_program_program"))

    op.drop_table("case_program")
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_note_case_id"))

    op.drop_table("case_note")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_event_case_id"))

    op.drop_table("case_event")
