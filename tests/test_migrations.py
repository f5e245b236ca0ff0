"""Alembic owns the schema: migrations must build exactly the models' schema and undo it."""

import os
import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import consult.models  # noqa: F401
from consult.config import ROOT
from consult.db import include_in_autogenerate, make_engine, normalise_url

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")


@pytest.fixture
def empty_database_url(tmp_path):
    """A database nobody else uses: a temporary file, or a scratch PostgreSQL database."""
    if TEST_DATABASE_URL.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"consult_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _config(engine):
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["engine"] = engine
    return config


def test_upgrade_gives_the_models_schema_and_downgrade_empties_it(empty_database_url):
    engine = make_engine(empty_database_url)
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


def test_upgrade_is_idempotent(empty_database_url):
    engine = make_engine(empty_database_url)
    config = _config(engine)
    command.upgrade(config, "head")
    command.upgrade(config, "head")
    assert "contribution" in inspect(engine).get_table_names()
    engine.dispose()
