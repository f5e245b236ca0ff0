"""Co-planning in a real browser: a planner drafts the next version after the demo's approved
version 2 and publishes version 3 for consultation, a participant amends it from a phone, a
facilitator records what a meeting said, the planner accepts the amendment with changes and
publishes version 4; the public page shows what changed and why,
and the participant's tracking page links to it."""

import re

from playwright.sync_api import expect

from .conftest import PHONE, login

DRAFT = "La Regione sostiene le comunità solidali con servizi aperti la sera nei giorni feriali."
AMENDMENT = (
    "La Regione sostiene le comunità solidali con servizi aperti la sera e la domenica, "
    "anche nelle valli."
)
ACCEPTED = "La Regione sostiene le comunità solidali con servizi aperti la sera e la domenica."
MEETING_SAYS = "L'incontro di Torino chiede di aprire i servizi anche la domenica."


def _tick(page, label: str) -> None:
    page.get_by_text(label, exact=True).click()
    expect(page.get_by_label(label)).to_be_checked()


def test_a_draft_comes_back_richer_with_its_inputs_cited(browser, base_url, demo_ids, screenshot):
    contexts = []

    def open_page(phone: bool = False):
        options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone else {}
        context = browser.new_context(locale="it-IT", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        # 0. The demo's approved version 2 says what changed and cites why.
        reader = open_page()
        reader.goto(base_url + "/strategia/versione-2/modifiche")
        housing = reader.locator("#modifica-abitare")
        expect(housing.locator("ins").first).to_be_visible()
        expect(housing).to_contain_text("aree interne")
        expect(housing.get_by_text("Accolto con modifiche")).to_be_visible()
        meeting_cited = housing.get_by_role("link", name=re.compile("Commento dell'incontro"))
        expect(meeting_cited).to_be_visible()

        # 1. The planner drafts version 3 from the approved version 2, writes the premise and
        #    publishes it for consultation.
        planner = open_page()
        login(planner, base_url, "pianificatore@example.org")
        planner.goto(base_url + "/pianificazione/strategia/")
        planner.get_by_role("button", name="Crea la prossima bozza").click()
        planner.get_by_role("link", name="Modifica la sezione «Premessa»").click()
        planner.get_by_label("Testo (Markdown)").fill(DRAFT)
        planner.get_by_role("button", name="Salva la sezione").click()
        expect(planner.get_by_text("Sezione salvata.")).to_be_visible()
        planner.get_by_role("button", name="Pubblica la versione 3").click()
        expect(planner.get_by_role("heading", name="Strategia, versione 3")).to_be_visible()

        # 2. A participant proposes an amendment to the premise from a phone.
        phone = open_page(phone=True)
        phone.goto(base_url + "/strategia/versione-3")
        premise = phone.locator("#sezione-premessa")
        premise.get_by_role("link", name="Proponi un emendamento").click()
        text = phone.get_by_label("Il testo che proponi al posto di quello attuale")
        expect(text).to_have_value(DRAFT)
        text.fill("Troppo")
        phone.get_by_role("button", name="Invia l'emendamento").click()
        expect(
            phone.get_by_text("La proposta è troppo corta: almeno 10 caratteri.")
        ).to_be_visible()
        text.fill(AMENDMENT)
        phone.get_by_label("Nome (facoltativo)").fill("Giulia")
        _tick(phone, "Ho letto l'informativa privacy e acconsento al trattamento dei dati.")
        screenshot(phone, "00-amendment-form")
        phone.get_by_role("button", name="Invia l'emendamento").click()
        expect(phone.get_by_role("heading", name="Il tuo emendamento")).to_be_visible()
        expect(phone.locator("#amendment-status")).to_have_text("In valutazione")
        tracking_url = phone.url
        assert re.search(r"/strategia/emendamenti/[\w-]{20,}$", tracking_url)
        screenshot(phone, "01-amendment-tracking")

        # 3. The facilitator records what the meeting said about the premise.
        facilitator = open_page()
        login(facilitator, base_url, "facilitatore@example.org")
        facilitator.goto(f"{base_url}/facilitatore/incontri/{demo_ids['meeting']}/strategia")
        facilitator.get_by_label("Sezione della strategia").select_option(label="Premessa")
        facilitator.get_by_label("Che cosa ha detto l'incontro").fill(MEETING_SAYS)
        facilitator.get_by_role("button", name="Registra il commento").click()
        expect(facilitator.get_by_text("Commento dell'incontro registrato.")).to_be_visible()

        # 4. The planner accepts the amendment with changes, cites the meeting, publishes v4.
        planner.goto(base_url + "/pianificazione/strategia/")
        version_3 = planner.get_by_role("row", name=re.compile("Versione 3"))
        version_3.get_by_role("link", name="Emendamenti e commenti").click()
        amendment = planner.locator("article", has_text=AMENDMENT)
        amendment.get_by_text("Accolto con modifiche", exact=True).click()
        expect(amendment.get_by_label("Accolto con modifiche")).to_be_checked()
        screenshot(planner, "02-review")
        amendment.get_by_label(re.compile("Testo accolto")).fill(ACCEPTED)
        amendment.get_by_role("button", name="Registra la decisione").click()
        expect(planner.get_by_text("Decisione registrata.")).to_be_visible()
        planner.get_by_role("link", name="Bozza della versione 4").click()
        planner.get_by_role("link", name="Modifica la sezione «Premessa»").click()
        expect(planner.get_by_label("Testo (Markdown)")).to_have_value(ACCEPTED)
        planner.get_by_text(re.compile("^Commento di un incontro")).click()
        planner.get_by_role("button", name="Salva la sezione").click()
        planner.get_by_label("Che cosa cambia in questa versione").fill(
            "Servizi aperti anche la domenica, come chiesto dai territori."
        )
        planner.get_by_role("button", name="Pubblica la versione 4").click()
        expect(planner.get_by_role("heading", name="Strategia, versione 4")).to_be_visible()

        # 5. The public diff page shows the change and links to its inputs.
        public = open_page()
        public.goto(base_url + "/strategia/versione-4/modifiche")
        change = public.locator("#modifica-premessa")
        expect(change.locator("del")).to_contain_text("feriali.")
        expect(change.locator("ins")).to_contain_text("domenica.")
        expect(change.get_by_text("Accolto con modifiche")).to_be_visible()
        meeting_link = change.get_by_role("link", name=re.compile("Commento dell'incontro"))
        expect(meeting_link).to_be_visible()
        change.get_by_role("link", name=re.compile(r"Emendamento n\. \d+")).click()
        expect(public.get_by_text(AMENDMENT)).to_be_visible()
        public.goto(base_url + "/strategia/versione-4/modifiche")
        path = screenshot(public, "03-changes")
        print(f"diff page screenshot: {path}")

        # 6. The participant's tracking page now links to what changed.
        phone.goto(tracking_url)
        expect(phone.locator("#amendment-status")).to_have_text("Accolto con modifiche")
        phone.get_by_role(
            "link", name=re.compile("La versione 4 della strategia ha accolto")
        ).click()
        expect(phone.get_by_role("heading", name=re.compile("versione 4 e perché"))).to_be_visible()
        screenshot(phone, "04-changes-on-phone")
    finally:
        for context in contexts:
            context.close()
