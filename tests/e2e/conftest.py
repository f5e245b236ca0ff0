"""A real server on 127.0.0.1 with the demo data, and Debian's Chromium driven by Playwright.

Run with `make e2e`. No browser is downloaded: Playwright drives /usr/bin/chromium.
"""

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from consult import create_app
from consult.config import ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", ROOT / "artifacts" / "e2e"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = "consult-demo"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


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
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return check


def login(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/account/accedi")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi").last.click()
    page.wait_for_url(lambda url: "/account/accedi" not in url)
