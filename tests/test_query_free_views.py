"""The packages cleaned of view queries stay clean, while the rest of the tree catches up."""

import pytest

from tests.test_architecture import MODULES, _feature, _is_web_module, _queries

CLEAN = ("common", "framework", "accountability", "planning", "public", "api")


@pytest.mark.parametrize("feature", CLEAN)
def test_these_features_views_run_no_queries(feature):
    offenders = [
        hit
        for module, path in MODULES.items()
        if _feature(module) == feature and _is_web_module(module)
        for hit in _queries(path)
    ]
    assert offenders == []
