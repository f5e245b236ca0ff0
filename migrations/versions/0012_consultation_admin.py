"""Several consultations administered on the site: what each phase allows, privacy notice texts.

Existing rows keep working as before: phases allow nothing explicitly (a consultation whose
phases allow nothing is governed by no phase, so its participation stays open), and the
privacy texts start empty. The data already belongs to its consultation (consultation_id).

Revision ID: 0012
Revises: 0014 (written on 0011; re-chained onto main's head when merging it)
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0014"
branch_labels = None
depends_on = None

PHASE_FLAGS = ("allows_proposals", "allows_live", "allows_analysis", "publishes_answers")
PRIVACY_TEXTS = (
    "privacy_controller",
    "privacy_dpo",
    "privacy_purposes",
    "privacy_legal_basis",
    "privacy_retention",
    "privacy_recipients",
)


def upgrade() -> None:
    with op.batch_alter_table("phase") as batch_op:
        for name in PHASE_FLAGS:
            batch_op.add_column(
                sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
            )
    with op.batch_alter_table("consultation") as batch_op:
        for name in PRIVACY_TEXTS:
            batch_op.add_column(
                sa.Column(
                    name, sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
                )
            )
        batch_op.add_column(
            sa.Column("privacy_example", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # The models carry no server defaults: drop them once existing rows are filled.
    with op.batch_alter_table("phase") as batch_op:
        for name in PHASE_FLAGS:
            batch_op.alter_column(name, server_default=None)
    with op.batch_alter_table("consultation") as batch_op:
        for name in (*PRIVACY_TEXTS, "privacy_example"):
            batch_op.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("consultation") as batch_op:
        batch_op.drop_column("privacy_example")
        for name in reversed(PRIVACY_TEXTS):
            batch_op.drop_column(name)
    with op.batch_alter_table("phase") as batch_op:
        for name in reversed(PHASE_FLAGS):
            batch_op.drop_column(name)
