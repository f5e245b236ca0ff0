"""Alembic owns the schema: migrations must build exactly the models' schema and undo it."""

import os

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import consult.models  # noqa: F401
from consult.config import ROOT
from consult.db import include_in_autogenerate, make_engine

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")


def _config(engine):
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["engine"] = engine
    return config


def test_upgrade_gives_the_models_schema_and_downgrade_empties_it(scratch_database_url):
    engine = make_engine(scratch_database_url)
    config = _config(engine)
    command.upgrade(config, "head")
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": include_in_autogenerate},
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []

    command.downgrade(config, "base")
    remaining = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    engine.dispose()


def test_upgrade_is_idempotent(scratch_database_url):
    engine = make_engine(scratch_database_url)
    config = _config(engine)
    command.upgrade(config, "head")
    command.upgrade(config, "head")
    assert "contribution" in inspect(engine).get_table_names()
    engine.dispose()
