"""The whole journey in a real browser, in order: from a phone in the meeting room to the answer.

A participant joins live session DEMA42 from a phone and submits; the facilitator approves while
the projector is open; a second participant submits online; the planner runs the analysis,
confirms an objective and publishes a response; the first participant reads it on their link.
"""

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, login

LIVE_TEXT = (
    "Servono educatori di strada la sera nei quartieri di Barriera di Milano e Aurora, "
    "per i ragazzi che non frequentano più la scuola."
)
ONLINE_TEXT = (
    "Un servizio di trasporto a chiamata per gli anziani delle valli che devono raggiungere "
    "l'ospedale per le visite."
)
RESPONSE_TEXT = (
    "Dal 2019 finanziamo tre équipe di educativa di strada serale a Torino nord, "
    "con i servizi sociali del Comune."
)
ANALYSIS_TIMEOUT_MS = 150_000

# The projector records when the approved proposal appears, by the page's own clock.
WATCH_PROJECTOR = """(text) => new Promise((resolve) => {
  const seen = () => document.getElementById('projector-content').innerText.includes(text);
  window.__appearedAt = null;
  new MutationObserver(() => {
    if (window.__appearedAt === null && seen()) window.__appearedAt = Date.now();
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
  resolve(seen());
})"""
SSE_OPEN = "document.addEventListener('htmx:sseOpen', () => { window.__sseOpen = true; });"
SSE_TYPES = (  # the names of the stream's events, as they arrive
    "window.__sseTypes = [];"
    "document.addEventListener('htmx:sseMessage', e => window.__sseTypes.push(e.detail.type));"
)


def _context(browser, **options):
    return browser.new_context(locale="it-IT", **options)


@pytest.fixture
def journey(browser):
    """Separate browsers (contexts) for each person, closed at the end."""
    contexts = []

    def open_page(phone: bool = False):
        options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone else {}
        context = _context(browser, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _tick(page, label: str) -> None:
    """Tap a checkbox's label, as people do: Bootstrap Italia draws the box on the label."""
    page.get_by_text(label, exact=True).click()
    expect(page.get_by_label(label)).to_be_checked()


def _open_live_session_page(page, base_url: str) -> None:
    """From the facilitator's menu to the DEMA42 session, as a facilitator clicks it."""
    page.goto(base_url + "/")
    page.get_by_role("link", name="Gestione incontri").click()
    page.get_by_role("link", name="Laboratorio di comunità di Torino").click()
    page.get_by_role("link", name=re.compile("Sessione DEMA42")).click()
    expect(page.get_by_role("heading", name=re.compile("Sessione dal vivo"))).to_be_visible()


def test_from_the_meeting_room_to_the_regions_answer(journey, base_url, screenshot):
    # 1. A participant joins by typing the code on a phone and submits.
    participant = journey(phone=True)
    participant.goto(base_url + "/live")
    participant.get_by_label("Codice della sessione").fill("dema42")
    participant.get_by_role("button", name="Entra").click()
    expect(participant.get_by_text("DEMA42", exact=True)).to_be_visible()
    screenshot(participant, "01-live-form")
    participant.get_by_label("La tua proposta").fill(LIVE_TEXT)
    _tick(participant, "Acconsento alla pubblicazione anonima della proposta")
    participant.get_by_role("button", name="Invia la proposta").click()
    thanks = "Grazie, abbiamo ricevuto la tua proposta"
    expect(participant.get_by_role("heading", name=thanks)).to_be_visible()
    expect(participant.get_by_text("comparirà sullo schermo dopo l'approvazione")).to_be_visible()
    # sent by htmx: the receipt and a blank form on the same page, the feed stream kept open
    expect(participant.get_by_label("La tua proposta")).to_have_value("")
    screenshot(participant, "02-live-sent")
    participant.get_by_role("link", name="Il tuo link personale per seguirla").click()
    expect(participant.get_by_role("link", name="Invia un'altra proposta in sala")).to_be_visible()
    tracking_url = participant.get_by_label("Link personale").input_value()
    assert re.search(r"/traccia/[\w-]{20,}$", tracking_url)
    screenshot(participant, "02-live-receipt")

    # 2. The facilitator opens the projector (another window) and then the moderation queue.
    projector = journey()
    projector.add_init_script(SSE_OPEN)
    login(projector, base_url, "facilitatore@example.org")
    _open_live_session_page(projector, base_url)
    projector.get_by_role("link", name="Apri il proiettore").click()
    projector.wait_for_function("() => window.__sseOpen === true", timeout=10_000)
    assert projector.evaluate(WATCH_PROJECTOR, LIVE_TEXT) is False
    projector.evaluate("window.__sameDocument = true")
    screenshot(projector, "03-projector-before")

    facilitator = journey()
    login(facilitator, base_url, "facilitatore@example.org")
    _open_live_session_page(facilitator, base_url)
    facilitator.get_by_role("link", name="Coda di moderazione").click()
    item = facilitator.locator("li.queue-item", has_text=LIVE_TEXT)
    expect(item).to_be_visible()
    proposal_number = re.search(r"#(\d+)", item.inner_text()).group(1)
    screenshot(facilitator, "04-moderation-queue")

    # Another phone in the room keeps the page open on the room's feed.
    watcher = journey(phone=True)
    watcher.add_init_script(SSE_OPEN)
    watcher.add_init_script(SSE_TYPES)
    watcher.goto(base_url + "/live/DEMA42")
    watcher.wait_for_function("() => window.__sseOpen === true", timeout=10_000)
    watcher.evaluate("window.__sameDocument = true")
    feed_items = watcher.locator("#feed-items li.live-feed-item")
    before = feed_items.count()

    # 3. The approval reaches the projector by itself within a second.
    approve = item.get_by_role("button", name="Approva")
    approve.evaluate("b => b.addEventListener('click', () => { window.__clickedAt = Date.now(); })")
    approve.click()
    projector.wait_for_function("() => window.__appearedAt !== null", timeout=5_000)
    delay_ms = projector.evaluate("window.__appearedAt") - facilitator.evaluate(
        "window.__clickedAt"
    )
    print(f"projector delay after approval: {delay_ms} ms")
    assert delay_ms < 1000
    assert projector.evaluate("window.__sameDocument") is True  # no reload
    expect(projector.get_by_text(LIVE_TEXT)).to_be_visible()
    expect(facilitator.locator("li.queue-item", has_text=LIVE_TEXT)).to_contain_text("Approvata")
    screenshot(projector, "05-projector-after")
    # The other phone's feed got it too: only the new item is sent, at the top of its list
    expect(feed_items.first).to_contain_text(LIVE_TEXT, timeout=5_000)
    assert feed_items.count() == before + 1
    assert watcher.evaluate("window.__sameDocument") is True
    fresh = feed_items.first
    fresh.get_by_role("button", name="Sostieni").click()
    expect(fresh.get_by_text("1 sostegno", exact=True)).to_be_visible()
    # That phone proposes too; once approved, its stream sends that item alone: in the "most
    # supported" order it goes after the supported one, at the end.
    second = "Serve uno sportello di ascolto per le famiglie del quartiere, aperto il sabato."
    watcher.get_by_label("La tua proposta").fill(second)
    _tick(watcher, "Acconsento alla pubblicazione anonima della proposta")
    watcher.get_by_role("button", name="Invia la proposta").click()
    expect(watcher.get_by_role("heading", name=thanks)).to_be_visible()
    facilitator.reload()
    facilitator.locator("li.queue-item", has_text=second).get_by_role(
        "button", name="Approva"
    ).click()
    expect(feed_items.last).to_contain_text(second, timeout=5_000)
    assert feed_items.count() == before + 2
    expect(feed_items.first).to_contain_text("1 sostegno")
    assert "feed-end" in watcher.evaluate("window.__sseTypes")
    assert watcher.evaluate("window.__sameDocument") is True
    screenshot(watcher, "04-phone-feed-after-approval")

    # 4. A second participant submits online, anonymously, from a phone.
    second = journey(phone=True)
    second.goto(base_url + "/proposte/nuova")
    second.get_by_label("La tua proposta").fill(ONLINE_TEXT)
    second.get_by_label("Territorio").select_option(label="Cuneo (tutta la provincia)")
    second.get_by_label("Partecipi come").select_option(label="Cittadina o cittadino")
    _tick(second, "Ho letto l'informativa privacy e acconsento al trattamento dei dati.")
    second.get_by_role("button", name="Invia la proposta").click()
    expect(second.get_by_role("heading", name=thanks)).to_be_visible()
    assert "/traccia/" in second.get_by_label("Link personale").input_value()
    screenshot(second, "06-online-receipt")

    # 5. The planner runs the analysis and watches it until it is done.
    planner = journey()
    login(planner, base_url, "pianificatore@example.org")
    planner.get_by_role("link", name="Pianificazione").click()
    planner.get_by_role("button", name="Avvia una nuova analisi").click()
    status = planner.locator("#run-status")
    expect(status.get_by_role("progressbar", name="Avanzamento dell'analisi")).to_be_visible()
    screenshot(planner, "07-analysis-running")
    expect(status).to_contain_text("Analisi completata", timeout=ANALYSIS_TIMEOUT_MS)
    expect(planner.get_by_role("link", name="Vedi i temi")).to_be_visible()
    screenshot(planner, "08-analysis-done")
    # What a planner reads after the analysis: themes inside objectives, and the coverage matrix.
    planner.goto(base_url + "/pianificazione/temi")
    expect(planner.get_by_role("heading", level=2).first).to_be_visible()
    screenshot(planner, "08a-themes")
    planner.goto(base_url + "/pianificazione/copertura")
    expect(planner.locator("table").first).to_be_visible()
    screenshot(planner, "08b-coverage-matrix")
    planner.goto(base_url + "/pianificazione/analisi")

    # 6. The planner confirms the objective of the first participant's proposal.
    planner.get_by_role("link", name="Mappatura sugli obiettivi").click()
    # Count the pages only once the mapping page is there (the analysis page has none).
    expect(planner.get_by_role("heading", name="Mappatura sugli obiettivi")).to_be_visible()
    # The page links: first, last and a few around the current one, with "Successiva".
    pages = planner.get_by_role("navigation", name="Pagine").get_by_role("link")
    if pages.count():
        last = pages.filter(has_text=re.compile(r"^\d+$")).last
        number = last.inner_text().strip()
        last.click()
        expect(planner).to_have_url(re.compile(f"pagina={number}#"))
        expect(pages.filter(has_text="Successiva")).to_have_count(0)
    # The proposal may also head the review queue; confirm it in the list of all proposals.
    listed = planner.locator('section[aria-labelledby="proposals-title"]')
    row = listed.locator("li.mapping-item", has_text=f"proposta #{proposal_number}")
    expect(row).to_be_visible()
    choice = row.get_by_label("Obiettivo")
    choice.select_option(label="Responsabilità genitoriali e prevenzione del disagio minorile")
    row.get_by_role("button", name=re.compile("Conferma|Salva")).click()
    expect(planner.get_by_text("Mappatura della proposta confermata.")).to_be_visible()
    confirmed = planner.locator('section[aria-labelledby="proposals-title"]').locator(
        "li.mapping-item", has_text=f"proposta #{proposal_number}"
    )
    expect(confirmed).to_contain_text("confermata")
    screenshot(planner, "09-mapping-confirmed")

    # 7. The planner answers the proposal and publishes the answer.
    planner.get_by_role("link", name="Risposte").first.click()
    planner.get_by_role("link", name="Nuova risposta").click()
    planner.get_by_label("Numero della proposta").fill(proposal_number)
    planner.get_by_label("Stato").select_option(label="Accolta")
    planner.get_by_label("Risposta della Regione").fill(RESPONSE_TEXT)
    planner.get_by_role("button", name="Salva").click()
    expect(planner.get_by_text("Risposta salvata come bozza")).to_be_visible()
    planner.get_by_role("button", name="Pubblica").click()
    expect(planner.get_by_text("Pubblicata").first).to_be_visible()
    screenshot(planner, "10-response-published")

    # 8. The first participant opens their link and reads the answer.
    participant.goto(tracking_url)
    journey_title = participant.get_by_role("heading", name="Il percorso della tua proposta")
    expect(journey_title).to_be_visible()
    expect(participant.get_by_text(LIVE_TEXT)).to_be_visible()
    expect(participant.get_by_role("heading", name="Risposta della Regione")).to_be_visible()
    expect(participant.get_by_text(RESPONSE_TEXT)).to_be_visible()
    expect(participant.get_by_text("(confermato)")).to_be_visible()
    screenshot(participant, "11-tracking-answer")
