"""Alembic environment on SQLModel.metadata; the engine comes from the app or DATABASE_URL."""

import os

from alembic import context
from sqlmodel import SQLModel

import consult.models  # noqa: F401  (registers every table)
from consult.db import include_in_autogenerate as include_object
from consult.db import include_name_in_autogenerate as include_name
from consult.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=os.environ.get("DATABASE_URL", "sqlite:///instance/consult.sqlite3"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=include_object,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or make_engine(
        os.environ.get("DATABASE_URL", "sqlite:///instance/consult.sqlite3")
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
