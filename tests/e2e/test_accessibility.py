"""WCAG 2.1 AA on every key page (axe-core), keyboard-only use, language and phone width."""

import pytest
from playwright.sync_api import expect

FACILITATOR = "facilitatore@example.org"
PLANNER = "pianificatore@example.org"
PARTICIPANT = "partecipante@example.org"

# (name, account or None, address template filled from `demo_ids`)
KEY_PAGES = [
    ("home", None, "/"),
    ("proposal-form", None, "/proposte/nuova"),
    ("proposal-list", None, "/proposte"),
    ("proposal-detail", None, "/proposte/{contribution}"),
    ("receipt", None, "/traccia/{token}/ricevuta"),
    ("tracking", None, "/traccia/{token}"),
    ("objective", None, "/obiettivi/{objective}"),
    ("statistics", None, "/statistiche"),
    ("live-join", None, "/live"),
    ("live-form", None, "/live/DEMA42"),
    ("login", None, "/account/accedi"),
    ("register", None, "/account/registrati"),
    ("account", PARTICIPANT, "/account"),
    ("meetings", FACILITATOR, "/facilitatore/incontri"),
    ("meeting", FACILITATOR, "/facilitatore/incontri/{meeting}"),
    ("live-session", FACILITATOR, "/facilitatore/sessioni/{session}"),
    ("moderation", FACILITATOR, "/facilitatore/sessioni/{session}/moderazione"),
    ("projector", FACILITATOR, "/live/DEMA42/proiettore"),
    ("meeting-tools", FACILITATOR, "/facilitatore/incontri/{meeting}/strumenti"),
    ("fast-entry", FACILITATOR, "/facilitatore/incontri/{meeting}/inserimento"),
    ("import", FACILITATOR, "/facilitatore/incontri/{meeting}/importa"),
    ("analysis", PLANNER, "/pianificazione/analisi"),
    ("themes", PLANNER, "/pianificazione/temi"),
    ("theme", PLANNER, "/pianificazione/temi/{theme}"),
    ("mapping", PLANNER, "/pianificazione/mappatura"),
    ("coverage", PLANNER, "/pianificazione/copertura"),
    ("responses", PLANNER, "/pianificazione/risposte/"),
    ("response-form", PLANNER, "/pianificazione/risposte/nuova"),
    ("report", PLANNER, "/pianificazione/rapporto"),
]
PAGE_IDS = [name for name, _account, _path in KEY_PAGES]


def _open(signed_in, base_url, demo_ids, account, path, phone=False):
    page = signed_in(account, phone=phone)
    response = page.goto(base_url + path.format(**demo_ids))
    assert response.status == 200, path
    return page


@pytest.mark.parametrize(("name", "account", "path"), KEY_PAGES, ids=PAGE_IDS)
def test_key_pages_have_no_serious_accessibility_violations(
    signed_in, base_url, demo_ids, axe, name, account, path
):
    page = _open(signed_in, base_url, demo_ids, account, path)
    assert page.locator("html").get_attribute("lang") == "it"
    assert page.locator("main").count() == 1
    assert page.locator("h1").count() == 1
    assert axe(page) == []


@pytest.mark.parametrize(("name", "account", "path"), KEY_PAGES, ids=PAGE_IDS)
def test_phone_pages_do_not_scroll_sideways(signed_in, base_url, demo_ids, name, account, path):
    page = _open(signed_in, base_url, demo_ids, account, path, phone=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_proposal_form_with_errors_is_accessible(signed_in, base_url, axe, screenshot):
    page = signed_in(None)
    page.goto(base_url + "/proposte/nuova")
    page.get_by_role("button", name="Invia la proposta").click()
    summary = page.get_by_role("alert").filter(has_text="problemi da correggere")
    expect(summary).to_be_visible()
    expect(page.get_by_label("La tua proposta")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "form-errors")
    assert axe(page) == []


def test_live_form_with_errors_is_accessible(signed_in, base_url, axe):
    page = signed_in(None, phone=True)
    page.goto(base_url + "/live/DEMA42")
    page.get_by_role("button", name="Invia la proposta").click()
    expect(page.get_by_text("Scrivi la tua proposta.")).to_be_visible()
    assert axe(page) == []


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(signed_in, base_url):
    page = signed_in(None)
    page.goto(base_url + "/proposte/nuova")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Vai al contenuto principale")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # visible while focused, for sighted keyboard users
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("La tua proposta")).to_be_focused()


FORM_ORDER = ["text", "title", "territory", "role", "objective", "name", "email", "consent"]
FOCUSED = "() => { const e = document.activeElement; return e.id || e.textContent.trim(); }"


def test_the_proposal_form_can_be_completed_with_the_keyboard_alone(
    signed_in, base_url, screenshot
):
    page = signed_in(None)
    page.goto(base_url + "/proposte/nuova")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # skip link
    visited = []
    typing = {
        "text": "Più ore di assistenza domiciliare per gli anziani soli nei piccoli comuni.",
        "territory": "Asti",
        "role": "Cittadina",
    }
    for _step in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        visited.append(focused)
        if focused in typing:
            page.keyboard.type(typing[focused])
        if focused == "consent":
            page.keyboard.press("Space")
            expect(page.get_by_label("Ho letto l'informativa privacy e acconsento")).to_be_checked()
        if focused == "Invia la proposta":
            break
    fields = [name for name in visited if name in FORM_ORDER]
    assert fields == FORM_ORDER, visited
    assert visited[-1] == "Invia la proposta"
    expect(page.get_by_label("Territorio")).to_have_value("asti")
    page.keyboard.press("Enter")
    thanks = page.get_by_role("heading", name="Grazie, abbiamo ricevuto la tua proposta")
    expect(thanks).to_be_visible()
    screenshot(page, "keyboard-receipt")


@pytest.mark.parametrize("path", ["/proposte/nuova", "/live", "/account/accedi"])
def test_english_pages_say_so_and_stay_accessible(signed_in, base_url, axe, path):
    page = signed_in(None)
    page.goto(base_url + path)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Skip to main content")).to_have_count(1)
    assert page.url.endswith(path)
    assert axe(page) == []


BROKEN = """() => {
  const main = document.getElementById('main');
  main.insertAdjacentHTML('beforeend',
    '<input type="text" name="nameless">' +
    '<p class="d-flex"><span class="badge" style="background:#995c00;color:#17334f">' +
    'affidabilità 20%</span><span class="badge" style="margin-left:-4px;background:#fff">' +
    'bisogno emergente</span></p>' +
    '<p id="main">twin</p>');
}"""


def test_the_checks_catch_a_missing_label_low_contrast_and_duplicate_ids(signed_in, base_url, axe):
    """The suite fails when a page breaks the rules it guards (so the green runs mean something)."""
    page = signed_in(None)
    page.goto(base_url + "/live")
    page.evaluate(BROKEN)
    found = {violation["id"] for violation in axe(page)}
    assert {"label", "duplicate-id"} <= found
    assert "color-contrast" in found
