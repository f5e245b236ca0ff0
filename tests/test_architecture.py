"""The layout holds: features in one dependency order, rules without Flask, views without
queries, no import cycle anywhere in consult/ and nlp/, and nlp/ reached through two doors."""

import ast
from pathlib import Path

import pytest

from consult.config import ROOT

# Bottom to top: a feature may use the features before it, never those after it.
FEATURE_ORDER = (
    "common",
    "framework",
    "notifications",
    "proposals",
    "accounts",
    "meetings",
    "analysis",
    "live",
    "moderation",
    "accountability",
    "planning",
    "coplanning",
    "public",
    "api",
    "admin",
    "cli",
)
# The application's infrastructure, importable from every feature.
INFRASTRUCTURE = {"consult.config", "consult.db", "consult.extensions", "consult.jobs"}
# Modules that talk to the web (request, session, templates); every other one holds rules.
WEB_MODULE_NAMES = {
    "views",
    "forms",
    "web",
    "errors",
    "labels",
    "context",
    "access",
    "runtime",
    "participant",
    "view_helpers",
    "auth",
    "jobs",
}
WEB_LIBRARIES = ("flask", "flask_", "werkzeug", "wtforms")
# Not the web: translated labels, password hashing, and Flask-Login's mixin on the user table.
WEB_LIBRARY_EXCEPTIONS = {"flask_babel", "werkzeug.security"}
USER_TABLE = "consult.accounts.models"
# Calls that run a query or end a transaction.
QUERY_CALLS = {"select", "exec", "execute", "scalars", "scalar", "query", "commit", "rollback"}


def _modules(package: str) -> dict[str, Path]:
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = {**_modules("consult"), **_modules("nlp")}


def _imported(name: str, node: ast.AST) -> list[str]:
    """Every module an import statement of module `name` reaches (submodules resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        package = name.split(".")
        if MODULES.get(name, Path()).name != "__init__.py":
            package = package[:-1]
        base = ".".join(package[: len(package) - node.level + 1])
        source = f"{base}.{node.module}" if node.module else base
    else:
        source = node.module or ""
    return [
        f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
        for alias in node.names
    ]


def _imports(name: str) -> list[tuple[str, int]]:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    return [
        (target, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for target in _imported(name, node)
    ]


def _feature(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "consult" and len(parts) > 1 and parts[1] in FEATURE_ORDER:
        return parts[1]
    return None


def _is_web_module(module: str) -> bool:
    leaf = module.rsplit(".", 1)[-1]
    return leaf in WEB_MODULE_NAMES or leaf.endswith(("_views", "_forms"))


def test_the_features_are_the_packages_of_consult():
    packages = {p.name for p in (ROOT / "consult").iterdir() if (p / "__init__.py").is_file()}
    assert packages - {"translations"} == set(FEATURE_ORDER)


def test_features_only_use_the_features_below_them():
    offenders = []
    for module in MODULES:
        feature = _feature(module)
        if feature is None:
            continue
        rank = FEATURE_ORDER.index(feature)
        for target, line in _imports(module):
            if not target.startswith("consult"):
                continue
            other = _feature(target)
            if other is None:
                allowed = target in INFRASTRUCTURE or (target == "consult" and feature == "cli")
                allowed = allowed or (feature == "cli" and target == "consult.models")
            else:
                # Tables reference each other by foreign key: the schema is shared by all.
                allowed = FEATURE_ORDER.index(other) <= rank or target.endswith(".models")
            if not allowed:
                offenders.append(f"{module}:{line} imports {target}")
    assert offenders == []


def test_rules_do_not_import_the_web():
    offenders = []
    for module in MODULES:
        if _feature(module) in (None, "cli") or _is_web_module(module):
            continue
        for target, line in _imports(module):
            exempt = target in WEB_LIBRARY_EXCEPTIONS or (module, target) == (
                USER_TABLE,
                "flask_login",
            )
            if target.startswith(WEB_LIBRARIES) and not exempt:
                offenders.append(f"{module}:{line} imports {target}")
    assert offenders == []


def _queries(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        session_get = (
            isinstance(func, ast.Attribute)
            and func.attr == "get"
            and "session" in ast.unparse(func.value)
        )
        if name in QUERY_CALLS or session_get:
            found.append(f"{path.name}:{node.lineno} {ast.unparse(func)}")
    return found


def test_views_run_no_queries_and_never_commit():
    offenders = []
    for module, path in MODULES.items():
        if _feature(module) not in (None, "cli") and _is_web_module(module):
            offenders += _queries(path)
    assert offenders == []


def test_the_query_check_sees_a_query_in_a_view(tmp_path):
    """The check itself: a view that selects, gets by key or commits is caught."""
    view = tmp_path / "views.py"
    view.write_text(
        "def page():\n"
        "    db.session().exec(select(Meeting)).all()\n"
        "    db.session().get(Meeting, 1)\n"
        "    db.session().commit()\n"
    )
    assert len(_queries(view)) == 4


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _import_graph() -> dict[str, set[str]]:
    """Every import, at module level or inside a function, between modules of ours."""
    return {
        module: {target for target, _ in _imports(module) if target in MODULES} - {module}
        for module in MODULES
    }


def test_no_import_cycle_anywhere():
    assert _cycles(_import_graph()) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_the_cycle_check_finds_a_cycle(graph, expected):
    assert _cycles(graph) == expected


def test_only_the_two_nlp_seams_import_nlp():
    """theme_engine (batch fits) and nlp_runtime (request time) are the app's doors to nlp."""
    importers = {
        module
        for module in MODULES
        if module.startswith("consult")
        and any(t == "nlp" or t.startswith("nlp.") for t, _ in _imports(module))
    }
    seams = {"consult.analysis.theme_engine", "consult.analysis.nlp_runtime"}
    assert importers - {"consult.cli.nlp"} <= seams
    assert seams <= importers


def test_nlp_never_imports_the_application():
    for module in MODULES:
        if module.startswith("nlp"):
            targets = {t for t, _ in _imports(module)}
            assert not any(t.startswith(("consult", "flask", "sqlmodel")) for t in targets)
