"""Proposals: full-text search objects and one abuse report per anonymous browser.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from consult.proposals import search_index

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("abusereport", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reporter_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    # SQLite: an FTS5 table of Snowball-stemmed words; PostgreSQL: a GIN index on to_tsvector.
    connection = op.get_bind()
    search_index.create_search_objects(connection)
    search_index.rebuild(connection)


def downgrade() -> None:
    search_index.drop_search_objects(op.get_bind())
    with op.batch_alter_table("abusereport", schema=None) as batch_op:
        batch_op.drop_column("reporter_token")
