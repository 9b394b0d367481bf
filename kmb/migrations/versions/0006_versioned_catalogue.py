"""versioned catalogue and answered questions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import intake.db

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "catalogue_entry_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("short", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("sources", intake.db.JSONDocument, nullable=False),
        sa.Column("links", intake.db.JSONDocument, nullable=False),
        sa.Column("keywords", intake.db.JSONDocument, nullable=False),
        sa.Column("questions", intake.db.JSONDocument, nullable=False),
        sa.Column("origin", sa.String(length=12), nullable=False),
        sa.Column("file_digest", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("created_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=True),
        sa.Column("published_at", intake.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_entry_version")),
        sa.UniqueConstraint(
            "slug", "lang", "version", name=op.f("uq_catalogue_entry_version_slug_lang_version")
        ),
    )
    with op.batch_alter_table("catalogue_entry_version", schema=None) as batch_op:
        batch_op.create_index(
            "uq_catalogue_entry_version_live",
            ["slug", "lang"],
            unique=True,
            sqlite_where=sa.text("status = 'published'"),
            postgresql_where=sa.text("status = 'published'"),
        )

    op.create_table(
        "answered_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.Column("created_at", intake.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_answered_question_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answered_question")),
    )
    with op.batch_alter_table("answered_question", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answered_question_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_answered_question_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_answered_question_slug"), ["slug"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("answered_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answered_question_slug"))
        batch_op.drop_index(batch_op.f("ix_answered_question_created_at"))
        batch_op.drop_index(batch_op.f("ix_answered_question_conversation_id"))

    op.drop_table("answered_question")
    with op.batch_alter_table("catalogue_entry_version", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_catalogue_entry_version_live",
            sqlite_where=sa.text("status = 'published'"),
            postgresql_where=sa.text("status = 'published'"),
        )

    op.drop_table("catalogue_entry_version")
