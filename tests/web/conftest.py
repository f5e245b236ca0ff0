"""A shared app per test module for the route-wide abuse suites (see route_world.py)."""

import pytest

from tests.web.route_world import make_app


@pytest.fixture(scope="module")
def route_app(tmp_path_factory, shared_engine):
    """One app for a whole module; each case rebuilds its sample with `build_world`."""
    app = make_app(tmp_path_factory.mktemp("routes"))
    yield app
    app.extensions["consult.engine"].dispose()
