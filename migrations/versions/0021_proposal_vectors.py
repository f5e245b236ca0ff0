"""Proposals' vectors in pgvector on PostgreSQL: the `proposal_vector` table, its indexes and the
trigger that keeps it in step with `contribution` (analysis/pgvector_index.py says why each).

Only where the server has the extension (`make pgvector`); on SQLite, or a PostgreSQL without it,
nothing changes and "proposte simili" keeps its in-process index. The table fills itself at the
first searches, from the embedding cache. The downgrade drops it (the extension stays).

Revision ID: 0021
Revises: 0020
"""

from alembic import op

from consult.analysis import pgvector_index

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pgvector_index.create_objects(op.get_bind())


def downgrade() -> None:
    pgvector_index.drop_objects(op.get_bind())
