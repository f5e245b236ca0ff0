"""Public meetings: who says they will come (named, or only counted).

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetingregistration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "email"),
        sa.UniqueConstraint("meeting_id", "idempotency_key"),
    )
    op.create_index(
        op.f("ix_meetingregistration_meeting_id"), "meetingregistration", ["meeting_id"]
    )
    op.create_index(op.f("ix_meetingregistration_email"), "meetingregistration", ["email"])


def downgrade() -> None:
    op.drop_index(op.f("ix_meetingregistration_email"), table_name="meetingregistration")
    op.drop_index(op.f("ix_meetingregistration_meeting_id"), table_name="meetingregistration")
    op.drop_table("meetingregistration")
