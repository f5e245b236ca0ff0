"""Alembic owns the schema: migrations must build exactly the models' schema and undo it."""

import os

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import consult.models  # noqa: F401
from consult.config import ROOT
from consult.db import include_in_autogenerate, include_name_in_autogenerate, make_engine

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
            opts={
                "compare_type": True,
                "include_object": include_in_autogenerate,
                "include_name": include_name_in_autogenerate,
            },
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


def _rows(engine, sql: str) -> list:
    with engine.begin() as connection:
        return list(connection.execute(text(sql)).all())


def _write(engine, sql: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(sql))


def _seed_two_frameworks(engine) -> None:
    """Two frameworks, the default consultation on the second, one territory (0019's schema)."""
    with engine.begin() as connection:
        for id_, code in ((1, "first"), (2, "second")):
            connection.execute(
                text(
                    "INSERT INTO framework (id, code, title, description, source)"
                    " VALUES (:id, :code, :code, '', '')"
                ),
                {"id": id_, "code": code},
            )
        connection.execute(
            text(
                "INSERT INTO consultation (id, slug, title, description, framework_id, is_active,"
                " privacy_controller, privacy_dpo, privacy_purposes, privacy_legal_basis,"
                " privacy_retention, privacy_recipients, privacy_example)"
                " VALUES (1, 'later', 'Later', '', 2, :yes, '', '', '', '', '', '', :no)"
            ),
            {"yes": True, "no": False},
        )
        connection.execute(
            text(
                "INSERT INTO site_setting (name, value, updated_at)"
                " VALUES ('default_consultation', 'later', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO territory (id, code, name, kind, article)"
                " VALUES (1, 'TO', 'Torino', 'province', '')"
            )
        )


def test_existing_territories_go_to_the_default_consultations_framework(scratch_database_url):
    engine = make_engine(scratch_database_url)
    config = _config(engine)
    command.upgrade(config, "0019")
    _seed_two_frameworks(engine)
    command.upgrade(config, "0020")
    assert _rows(engine, "SELECT framework_id FROM territory") == [(2,)]

    # the same code in the other framework is now a territory of its own
    _write(
        engine,
        "INSERT INTO territory (id, framework_id, code, name, kind, article)"
        " VALUES (2, 1, 'TO', 'Torino', 'province', '')",
    )
    with pytest.raises(RuntimeError, match="TO"):
        command.downgrade(config, "0019")
    _write(engine, "DELETE FROM territory WHERE framework_id = 1")
    command.downgrade(config, "0019")
    assert _rows(engine, "SELECT code FROM territory") == [("TO",)]
    with pytest.raises(IntegrityError):  # the code is unique site-wide again
        _write(
            engine,
            "INSERT INTO territory (id, code, name, kind, article)"
            " VALUES (3, 'TO', 'T', 'province', '')",
        )
    engine.dispose()


def test_without_a_default_consultation_territories_go_to_the_lowest_framework(
    scratch_database_url,
):
    engine = make_engine(scratch_database_url)
    config = _config(engine)
    command.upgrade(config, "0019")
    _seed_two_frameworks(engine)
    _write(engine, "DELETE FROM site_setting")
    _write(engine, "DELETE FROM consultation")
    command.upgrade(config, "head")
    assert _rows(engine, "SELECT framework_id FROM territory") == [(1,)]
    engine.dispose()


def test_0021_adds_pgvector_proposal_vectors_only_where_the_server_has_the_extension(
    scratch_database_url,
):
    from consult.analysis import pgvector_index

    engine = make_engine(scratch_database_url)
    config = _config(engine)
    with engine.connect() as connection:
        available = pgvector_index.extension_available(connection)
    command.upgrade(config, "0020")
    assert "proposal_vector" not in inspect(engine).get_table_names()
    command.upgrade(config, "0021")
    triggers = "SELECT tgname FROM pg_trigger WHERE tgname = 'proposal_vector_follow'"
    if available:
        assert "proposal_vector" in inspect(engine).get_table_names()
        assert _rows(engine, triggers) == [("proposal_vector_follow",)]
    else:  # SQLite, or a PostgreSQL without pgvector: nothing changes
        assert "proposal_vector" not in inspect(engine).get_table_names()
    command.downgrade(config, "0020")
    assert "proposal_vector" not in inspect(engine).get_table_names()
    if available:
        assert _rows(engine, triggers) == []
    command.upgrade(config, "head")
    engine.dispose()
