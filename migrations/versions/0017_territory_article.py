"""Territories: the Italian article their name takes, for place phrases ("nella Città
metropolitana di Torino", "ad Asti"). Existing rows get the article their name implies.

Revision ID: 0017
Revises: 0011
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from consult.framework.places import article_for

revision = "0017"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("territory") as batch:
        batch.add_column(
            sa.Column(
                "article",
                sqlmodel.sql.sqltypes.AutoString(length=3),
                nullable=False,
                server_default="",
            )
        )
    territory = sa.table("territory", sa.column("id"), sa.column("name"), sa.column("article"))
    connection = op.get_bind()
    for row in connection.execute(sa.select(territory.c.id, territory.c.name)).all():
        article = article_for(row.name)
        if article:
            connection.execute(
                territory.update().where(territory.c.id == row.id).values(article=article)
            )


def downgrade() -> None:
    with op.batch_alter_table("territory") as batch:
        batch.drop_column("article")
