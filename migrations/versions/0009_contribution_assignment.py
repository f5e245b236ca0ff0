"""Stored assignments: which objective(s) each proposal counts for, kept by the session hooks;
an index for the public list's order and keyset pages.

Revision ID: 0009
Revises: 0007

An existing database gets the table empty: fill it once with `consult assignments rebuild`
(the hooks keep it current afterwards). The migration does not run the rule itself, which reads
today's models and would break on a database migrated by later revisions.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contribution_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["contribution_id"], ["contribution.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contribution_assignment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contribution_assignment_objective",
            ["objective_id", "contribution_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_contribution_assignment_contribution_id"),
            ["contribution_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_contribution_assignment_consultation_id"),
            ["consultation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_contribution_assignment_theme_id"), ["theme_id"], unique=False
        )

    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contribution_published_order",
            ["consultation_id", "status", "published_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.drop_index("ix_contribution_published_order")
    op.drop_table("contribution_assignment")
