"""Imports flow one way: web -> services -> models; services never import Flask."""

import ast
from pathlib import Path

from consult.config import ROOT

FORBIDDEN_IN_SERVICES = ("flask", "werkzeug.wrappers", "consult.web")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            prefix = "consult." if node.level else ""
            names.add(prefix + node.module)
    return names


def test_services_do_not_import_flask_or_web():
    offenders = {}
    for path in (ROOT / "consult" / "services").rglob("*.py"):
        bad = {n for n in _imports(path) if n.startswith(FORBIDDEN_IN_SERVICES) or n == "web"}
        if bad:
            offenders[path.name] = bad
    assert offenders == {}


def test_models_do_not_import_services_or_web():
    for path in (ROOT / "consult" / "models").rglob("*.py"):
        names = _imports(path)
        assert not any("services" in n or n.endswith("web") for n in names), path.name


def test_only_the_two_nlp_seams_import_nlp():
    """theme_engine (batch fits) and nlp_runtime (request time) are the app's only doors to nlp."""
    importers = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "consult").rglob("*.py")
        if any(n == "nlp" or n.startswith("nlp.") for n in _imports(path))
    }
    assert importers <= {
        "consult/services/theme_engine.py",
        "consult/services/nlp_runtime.py",
        "consult/cli.py",
        "consult/cli_nlp.py",
    }
    assert {"consult/services/theme_engine.py", "consult/services/nlp_runtime.py"} <= importers
