"""Erasure keeps anonymous statistics; consent records

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import intake.db

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "consent_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("given_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", intake.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_consent_record_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_record")),
    )
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_record_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consent_record_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_consent_record_version"), ["version"], unique=False)

    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.alter_column("person_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.drop_constraint(batch_op.f("fk_appointment_person_id_person"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_appointment_person_id_person"),
            "person",
            ["person_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("intake_case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("anonymised_at", intake.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("anonymous_person", sa.String(length=16), nullable=True))
        batch_op.alter_column("person_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_intake_case_anonymised_at"), ["anonymised_at"], unique=False
        )
        batch_op.drop_constraint(batch_op.f("fk_intake_case_person_id_person"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_intake_case_person_id_person"),
            "person",
            ["person_id"],
            ["id"],
            ondelete="SET NULL",
        )

    # People registered before consent records existed: their consent, from the person.
    op.execute(
        """
        INSERT INTO consent_record (version, channel, given_at, person_id)
        SELECT p.consent_version,
               COALESCE((SELECT c.channel FROM intake_case c WHERE c.person_id = p.id
                         ORDER BY c.id LIMIT 1), 'unknown'),
               p.consent_at,
               p.id
        FROM person p
        """
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("intake_case", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_intake_case_person_id_person"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_intake_case_person_id_person"),
            "person",
            ["person_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_index(batch_op.f("ix_intake_case_anonymised_at"))
        batch_op.alter_column("person_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("anonymous_person")
        batch_op.drop_column("anonymised_at")

    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_appointment_person_id_person"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_appointment_person_id_person"),
            "person",
            ["person_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.alter_column("person_id", existing_type=sa.INTEGER(), nullable=False)

    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_record_version"))
        batch_op.drop_index(batch_op.f("ix_consent_record_person_id"))
        batch_op.drop_index(batch_op.f("ix_consent_record_conversation_id"))

    op.drop_table("consent_record")
