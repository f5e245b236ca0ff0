"""A forked process (an RQ work horse) never shares its parent's pooled database connections."""

import os

import pytest
from sqlalchemy import text

from tests.conftest import TEST_DATABASE_URL


@pytest.mark.skipif(TEST_DATABASE_URL.startswith("sqlite"), reason="PostgreSQL backends only")
def test_a_forked_child_opens_a_connection_of_its_own(app):
    engine = app.extensions["consult.engine"]
    with engine.connect() as connection:  # the parent's connection, back in the pool after
        parent = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            with engine.connect() as connection:
                own = connection.execute(text("SELECT pg_backend_pid()")).scalar()
            os.write(write, str(own).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    assert int(os.read(read, 32) or b"0") not in (0, parent)
    with engine.connect() as connection:  # the parent's connection still works
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar() == parent
