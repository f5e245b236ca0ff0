"""A real server on 127.0.0.1 with the demo data, and Debian's Chromium driven by Playwright.

Run with `make e2e`. No browser is downloaded: Playwright drives /usr/bin/chromium.
"""

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select
from werkzeug.serving import make_server

from consult import create_app, db
from consult.analysis.models import AnalysisRun, Theme
from consult.config import ROOT
from consult.framework.models import Objective
from consult.meetings.models import LiveSession, Meeting
from consult.proposals.models import Contribution

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", ROOT / "artifacts" / "e2e"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
EXTRA_CHECKS = "\n".join(  # a function expression for page.evaluate: drop the leading comment
    line
    for line in (Path(__file__).parent / "js" / "extra_checks.js").read_text("utf-8").splitlines()
    if not line.startswith("//")
)
PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = "consult-demo"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            # The dev server's threads leave a static file to the garbage collector when the
            # browser drops the connection (a context closed mid-download): not our code.
            item.add_marker(pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning"))
            item.add_marker(
                pytest.mark.filterwarnings(
                    "ignore:Exception ignored in.*FileIO:pytest.PytestUnraisableExceptionWarning"
                )
            )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app on a migrated SQLite file with `consult demo` loaded, as a new user meets it."""
    folder = tmp_path_factory.mktemp("e2e")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'e2e.sqlite3'}",
            "SECRET_KEY": "e2e-secret",
            "RATELIMIT_ENABLED": False,
            "CONSULT_MODEL_DIR": str(folder / "models"),
        }
    )
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["demo"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="session")
def base_url(live_app) -> Iterator[str]:
    port = _free_port()
    server = make_server("127.0.0.1", port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make e2e` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def _context(browser, **options):
    # bypass_csp only lets the test inject axe-core; the pages' own CSP is checked elsewhere.
    return browser.new_context(locale="it-IT", bypass_csp=True, **options)


@pytest.fixture
def desktop(browser):
    context = _context(browser, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser):
    context = _context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot named after the test and the step."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe():
    """Run axe-core (from npm) on a page; return serious and critical violations."""
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run `make assets`")
    source = AXE.read_text(encoding="utf-8")

    def check(page) -> list[dict]:
        page.add_script_tag(content=source)
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
        )
        found = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        return found + page.evaluate(EXTRA_CHECKS, _undecided_contrast(result))

    return check


@pytest.fixture
def demo_ids(live_app) -> dict:
    """Identifiers of demo records, to build addresses; never used to check results."""
    with live_app.app_context(), db.standalone_session() as session:
        live = session.exec(select(LiveSession).where(LiveSession.code == "DEMA42")).one()
        published = select(Contribution).where(Contribution.status == "published")
        contribution = session.exec(published.order_by(col(Contribution.id))).first()
        current = select(Theme).join(AnalysisRun).where(col(AnalysisRun.is_current))
        theme = session.exec(current.order_by(col(Theme.id))).first()
        objective = session.exec(select(Objective).order_by(col(Objective.position))).first()
        return {
            "session": live.id,
            "meeting": session.get(Meeting, live.meeting_id).id,
            "contribution": contribution.id,
            "token": contribution.tracking_token,
            "theme": theme.stable_key,
            "objective": objective.code,
        }


@pytest.fixture(scope="session")
def signed_in_state(browser, base_url, tmp_path_factory):
    """Log each demo account in once; return a function giving its saved cookies' file."""
    folder = tmp_path_factory.mktemp("e2e-logins")
    states: dict[str, str] = {}

    def state(email: str) -> str:
        if email not in states:
            context = _context(browser)
            login(context.new_page(), base_url, email)
            states[email] = str(folder / f"{email}.json")
            context.storage_state(path=states[email])
            context.close()
        return states[email]

    return state


@pytest.fixture
def signed_in(browser, signed_in_state):
    """A desktop page of a demo account (or anonymous with None), at 1280 or 390 px."""
    contexts = []

    def open_page(email: str | None, phone: bool = False):
        viewport = PHONE if phone else {"width": 1280, "height": 900}
        state = signed_in_state(email) if email else None
        context = _context(browser, viewport=viewport, storage_state=state)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _undecided_contrast(result: dict) -> list[str]:
    """Text whose contrast axe left undecided because a neighbour overlaps its box."""
    return [
        node["target"][0]
        for rule in result["incomplete"]
        if rule["id"] == "color-contrast"
        for node in rule["nodes"]
        if len(node["target"]) == 1
        and any("obscured" in c["message"] or "overlapped" in c["message"] for c in node["any"])
    ]


def login(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/account/accedi")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi").last.click()
    page.wait_for_url(lambda url: "/account/accedi" not in url)
