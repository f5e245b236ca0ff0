"""Co-planning: strategy versions and sections, amendments, meeting comments, provenance.

Revision ID: 0007
Revises: 0003
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "strategy_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consultation_id", "number"),
    )
    with op.batch_alter_table("strategy_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_strategy_version_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_strategy_version_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "strategy_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["strategy_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "key"),
    )
    with op.batch_alter_table("strategy_section", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_strategy_section_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "amendment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("author_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("tracking_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("decision_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["strategy_section.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_amendment_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_amendment_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_amendment_section_id"), ["section_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_amendment_tracking_token"), ["tracking_token"], unique=True
        )

    op.create_table(
        "strategy_meeting_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["strategy_section.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("strategy_meeting_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_strategy_meeting_comment_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_strategy_meeting_comment_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_strategy_meeting_comment_section_id"), ["section_id"], unique=False
        )

    op.create_table(
        "strategy_section_input",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("amendment_id", sa.Integer(), nullable=True),
        sa.Column("meeting_comment_id", sa.Integer(), nullable=True),
        sa.Column("contribution_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["amendment_id"],
            ["amendment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_comment_id"],
            ["strategy_meeting_comment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["strategy_section.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("strategy_section_input", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_strategy_section_input_amendment_id"), ["amendment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_strategy_section_input_contribution_id"),
            ["contribution_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_strategy_section_input_meeting_comment_id"),
            ["meeting_comment_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_strategy_section_input_section_id"), ["section_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("strategy_section_input", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_section_input_section_id"))
        batch_op.drop_index(batch_op.f("ix_strategy_section_input_meeting_comment_id"))
        batch_op.drop_index(batch_op.f("ix_strategy_section_input_contribution_id"))
        batch_op.drop_index(batch_op.f("ix_strategy_section_input_amendment_id"))

    op.drop_table("strategy_section_input")
    with op.batch_alter_table("strategy_meeting_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_meeting_comment_section_id"))
        batch_op.drop_index(batch_op.f("ix_strategy_meeting_comment_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_strategy_meeting_comment_created_at"))

    op.drop_table("strategy_meeting_comment")
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_amendment_tracking_token"))
        batch_op.drop_index(batch_op.f("ix_amendment_section_id"))
        batch_op.drop_index(batch_op.f("ix_amendment_created_at"))
        batch_op.drop_index(batch_op.f("ix_amendment_author_id"))

    op.drop_table("amendment")
    with op.batch_alter_table("strategy_section", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_section_version_id"))

    op.drop_table("strategy_section")
    with op.batch_alter_table("strategy_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_version_created_at"))
        batch_op.drop_index(batch_op.f("ix_strategy_version_consultation_id"))

    op.drop_table("strategy_version")
