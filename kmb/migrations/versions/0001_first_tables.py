"""first tables

Revision ID: 0001
Revises:
Create Date: 2026-11-23

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import intake.db

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("consent_version", sa.String(length=20), nullable=False),
        sa.Column("consent_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    op.create_table(
        "intake_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("needs_immediate_attention", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("created_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_intake_case_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_case")),
        sa.UniqueConstraint("reference", name=op.f("uq_intake_case_reference")),
    )
    with op.batch_alter_table("intake_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_case_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_intake_case_needs_immediate_attention"),
            ["needs_immediate_attention"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_intake_case_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_intake_case_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_intake_case_urgency"), ["urgency"], unique=False)

    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "history",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("editing", sa.Boolean(), nullable=False),
        sa.Column("consent_version", sa.String(length=20), nullable=True),
        sa.Column("consent_at", intake.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["intake_case.id"],
            name=op.f("fk_conversation_case_id_intake_case"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
        sa.UniqueConstraint("channel", "chat_id", name=op.f("uq_conversation_channel_chat_id")),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_case_id"), ["case_id"], unique=False)

    op.create_table(
        "conversation_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("payload", sa.String(length=100), nullable=True),
        sa.Column(
            "replies",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_message_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_message")),
        sa.UniqueConstraint(
            "conversation_id",
            "external_id",
            name=op.f("uq_conversation_message_conversation_id_external_id"),
        ),
    )


def downgrade() -> None:
    """Downgrade schema."""

    op.drop_table("conversation_message")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_case_id"))

    op.drop_table("conversation")
    with op.batch_alter_table("intake_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_case_urgency"))
        batch_op.drop_index(batch_op.f("ix_intake_case_status"))
        batch_op.drop_index(batch_op.f("ix_intake_case_person_id"))
        batch_op.drop_index(batch_op.f("ix_intake_case_needs_immediate_attention"))
        batch_op.drop_index(batch_op.f("ix_intake_case_created_at"))

    op.drop_table("intake_case")
    op.drop_table("person")
