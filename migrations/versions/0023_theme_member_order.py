"""An index in the order a theme's members are shown: representative first, then likeliest
(ascending columns: both databases read it backwards).

An objective's public page shows three proposals per theme; without this index each theme's
thousands of members were joined and sorted to find them (32 ms per theme at 100,000 proposals
on PostgreSQL, 0.2 ms with it).

Revision ID: 0023
Revises: 0022
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_contributiontheme_ranked",
        "contributiontheme",
        ["theme_id", "is_representative", "probability", "contribution_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_contributiontheme_ranked", table_name="contributiontheme")
