"""Phones in the live room: consent once per session, priorities rounds, quick polls, the feed
switches of a session and the facilitator of a working group.

Revision ID: 0014
Revises: 0018
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0014"
down_revision = "0018"
branch_labels = None
depends_on = None

WHEN = sqlmodel.sql.sqltypes.UTCDateTime
TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("livesession", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("feed_enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("supports_enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("workinggroup", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facilitator_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_workinggroup_facilitator_id"), ["facilitator_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_workinggroup_facilitator_id_user", "user", ["facilitator_id"], ["id"]
        )
    op.create_table(
        "livephone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("live_session_id", sa.Integer(), nullable=False),
        sa.Column("phone_hash", TEXT(length=64), nullable=False),
        sa.Column("consented_at", WHEN(), nullable=True),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["live_session_id"], ["livesession.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("live_session_id", "phone_hash"),
    )
    op.create_index(op.f("ix_livephone_live_session_id"), "livephone", ["live_session_id"])
    for table in ("priorityround", "livepoll"):
        columns = [
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("live_session_id", sa.Integer(), nullable=False),
            sa.Column("working_group_id", sa.Integer(), nullable=True),
        ]
        if table == "priorityround":
            columns += [
                sa.Column("method", TEXT(length=10), nullable=False),
                sa.Column("points", sa.Integer(), nullable=False),
            ]
        else:
            columns += [
                sa.Column("kind", TEXT(length=10), nullable=False),
                sa.Column("question", TEXT(length=300), nullable=False),
                sa.Column("options", sa.JSON(), nullable=False),
            ]
        op.create_table(
            table,
            *columns,
            sa.Column("status", TEXT(length=10), nullable=False),
            sa.Column("opened_at", WHEN(), nullable=False),
            sa.Column("closed_at", WHEN(), nullable=True),
            sa.Column("result", sa.JSON(), nullable=True),
            sa.ForeignKeyConstraint(["live_session_id"], ["livesession.id"]),
            sa.ForeignKeyConstraint(["working_group_id"], ["workinggroup.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        for column in ("live_session_id", "working_group_id"):
            op.create_index(op.f(f"ix_{table}_{column}"), table, [column])
    op.create_table(
        "priorityballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("phone_id", sa.Integer(), nullable=False),
        sa.Column("allocations", sa.JSON(), nullable=False),
        sa.Column("updated_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["priorityround.id"]),
        sa.ForeignKeyConstraint(["phone_id"], ["livephone.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "phone_id"),
    )
    op.create_table(
        "pollanswer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("phone_id", sa.Integer(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("words", TEXT(length=200), nullable=False),
        sa.Column("lemmas", sa.JSON(), nullable=False),
        sa.Column("updated_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["livepoll.id"]),
        sa.ForeignKeyConstraint(["phone_id"], ["livephone.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("poll_id", "phone_id"),
    )
    for table, parent in (("priorityballot", "round_id"), ("pollanswer", "poll_id")):
        for column in (parent, "phone_id"):
            op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def downgrade() -> None:
    for table, parent in (("pollanswer", "poll_id"), ("priorityballot", "round_id")):
        for column in (parent, "phone_id"):
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
    for table in ("livepoll", "priorityround"):
        for column in ("live_session_id", "working_group_id"):
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f("ix_livephone_live_session_id"), table_name="livephone")
    op.drop_table("livephone")
    with op.batch_alter_table("workinggroup", schema=None) as batch_op:
        batch_op.drop_constraint("fk_workinggroup_facilitator_id_user", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_workinggroup_facilitator_id"))
        batch_op.drop_column("facilitator_id")
    with op.batch_alter_table("livesession", schema=None) as batch_op:
        batch_op.drop_column("supports_enabled")
        batch_op.drop_column("feed_enabled")
