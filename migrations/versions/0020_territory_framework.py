"""Territories belong to a framework: a territory code is unique within its framework, so a
second consultation listing a code another framework already uses keeps a territory of its own.

Existing territories were loaded by some framework but the row does not say which: they go to
the framework of the site's default consultation (the stored choice, else the first active
consultation), else to the lowest-id framework. On a site with one framework that is the one.

The downgrade puts the site-wide uniqueness back, so it refuses when two frameworks hold the same
code (merging them would repoint meetings and proposals between consultations).

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_territory_framework_id_framework"
UNIQUE = "uq_territory_framework_id_code"


def upgrade() -> None:
    with op.batch_alter_table("territory") as batch:
        batch.add_column(sa.Column("framework_id", sa.Integer(), nullable=True))
    _fill_framework()
    with op.batch_alter_table("territory") as batch:
        batch.alter_column("framework_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(FOREIGN_KEY, "framework", ["framework_id"], ["id"])
        batch.drop_index("ix_territory_code")
        batch.create_index("ix_territory_code", ["code"], unique=False)
        batch.create_index("ix_territory_framework_id", ["framework_id"], unique=False)
        batch.create_unique_constraint(UNIQUE, ["framework_id", "code"])


def _fill_framework() -> None:
    connection = op.get_bind()
    territory = sa.table("territory", sa.column("framework_id"))
    if connection.execute(sa.select(sa.func.count()).select_from(territory)).scalar() == 0:
        return
    framework_id = _owning_framework(connection)
    if framework_id is None:
        raise RuntimeError("territories exist but no framework does: load a framework first")
    connection.execute(territory.update().values(framework_id=framework_id))


def _owning_framework(connection) -> int | None:
    """The default consultation's framework, else the lowest-id framework."""
    setting = sa.table("site_setting", sa.column("name"), sa.column("value"))
    consultation = sa.table(
        "consultation",
        sa.column("id"),
        sa.column("slug"),
        sa.column("framework_id"),
        sa.column("is_active"),
    )
    framework = sa.table("framework", sa.column("id"))
    chosen = connection.execute(
        sa.select(consultation.c.framework_id).where(
            consultation.c.slug
            == sa.select(setting.c.value)
            .where(setting.c.name == "default_consultation")
            .scalar_subquery()
        )
    ).scalar()
    if chosen is None:
        chosen = connection.execute(
            sa.select(consultation.c.framework_id)
            .where(consultation.c.is_active == sa.true())
            .order_by(consultation.c.id)
            .limit(1)
        ).scalar()
    if chosen is None:
        chosen = connection.execute(sa.select(sa.func.min(framework.c.id))).scalar()
    return chosen


def downgrade() -> None:
    territory = sa.table("territory", sa.column("code"))
    shared = op.get_bind().execute(
        sa.select(territory.c.code).group_by(territory.c.code).having(sa.func.count() > 1)
    )
    codes = sorted(row.code for row in shared)
    if codes:
        raise RuntimeError(
            "cannot downgrade: several frameworks hold the territory codes " + ", ".join(codes)
        )
    with op.batch_alter_table("territory") as batch:
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.drop_index("ix_territory_framework_id")
        batch.drop_index("ix_territory_code")
        batch.create_index("ix_territory_code", ["code"], unique=True)
        batch.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch.drop_column("framework_id")
