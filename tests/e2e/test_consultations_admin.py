"""An administrator opens a second consultation from an Excel framework, in a real browser.

A workbook with an error shows the sheet, row and column at fault and saves nothing; the
corrected one is previewed and created, its proposal phase opened; a participant sends it a
proposal from a phone; each consultation's proposals, themes and figures stay its own.
"""

import re

from playwright.sync_api import expect
from sqlmodel import select

from consult import db
from consult.framework.models import Consultation
from tests.web.test_consultation_admin import workbook

from .conftest import PHONE, login

TEXT = "Più tirocini retribuiti nelle aziende del territorio per chi cerca il primo lavoro."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _consultations(app) -> list[str]:
    with app.app_context(), db.standalone_session() as session:
        return [c.slug for c in session.exec(select(Consultation))]


def _upload(page, data: bytes) -> None:
    page.get_by_label("File del quadro (YAML, JSON o Excel .xlsx)").set_input_files(
        {"name": "lavoro.xlsx", "mimeType": XLSX, "buffer": data}
    )
    page.get_by_role("button", name="Controlla il file").click()


def test_a_second_consultation_from_an_excel_framework(browser, base_url, live_app, screenshot):
    admin_context = browser.new_context(locale="it-IT")
    admin_context.set_default_timeout(10_000)
    admin = admin_context.new_page()
    login(admin, base_url, "admin@example.org")
    admin.goto(base_url + "/admin/")
    admin.get_by_role("link", name="Nuova consultazione").click()

    # 1. A workbook with an unknown objective kind: the problem is located, nothing saved.
    before = _consultations(live_app)
    _upload(admin, workbook(kind="settoriale", territory="asti-lavoro"))
    problems = admin.locator("[data-upload=problems]")
    expect(problems).to_contain_text("nulla è stato salvato")
    row = problems.locator("tr", has_text="foglio «obiettivi», riga 3")
    expect(row).to_contain_text("tipo")
    expect(row).to_contain_text("valore non ammesso")
    screenshot(admin, "upload-error")
    assert _consultations(live_app) == before

    # 2. The corrected workbook: preview, then create; open its proposal phase.
    _upload(admin, workbook(territory="asti-lavoro"))
    expect(admin.locator("[data-upload=valid]")).to_be_visible()
    expect(admin.get_by_text("Consultazione sul lavoro")).to_be_visible()
    assert _consultations(live_app) == before
    admin.get_by_role("button", name="Crea la consultazione").click()
    expect(admin.get_by_role("heading", name="Consultazione sul lavoro")).to_be_visible()
    admin.locator("label[for='phases-0-allows_proposals']").click()
    expect(admin.locator("#phases-0-allows_proposals")).to_be_checked()
    admin.get_by_role("button", name="Salva le fasi").click()
    expect(admin.get_by_text("Fasi salvate.")).to_be_visible()
    screenshot(admin, "phases")
    assert _consultations(live_app) == [*before, "lavoro-2026"]

    # 3. A participant finds it on the site's home and sends a proposal from a phone.
    phone_context = browser.new_context(
        locale="it-IT", viewport=PHONE, is_mobile=True, has_touch=True
    )
    phone_context.set_default_timeout(10_000)
    phone = phone_context.new_page()
    phone.goto(base_url + "/")
    phone.get_by_role("link", name="Consultazione sul lavoro").click()
    expect(phone).to_have_url(re.compile(r"/c/lavoro-2026/$"))
    phone.locator("#main").get_by_role("link", name="Fai una proposta").click()
    phone.get_by_label("La tua proposta").fill(TEXT)
    phone.get_by_label("Territorio").select_option(label="Asti (tutta la provincia)")
    phone.get_by_label("Partecipi come").select_option(label="Cittadina o cittadino")
    consent = "Ho letto l'informativa privacy e acconsento al trattamento dei dati."
    phone.get_by_text(consent, exact=True).click()
    expect(phone.get_by_label(consent)).to_be_checked()
    phone.get_by_role("button", name="Invia la proposta").click()
    expect(phone).to_have_url(re.compile(r"/c/lavoro-2026/traccia/.+/ricevuta"))
    screenshot(phone, "receipt")

    # 4. Each consultation keeps its own proposals, themes and figures.
    phone.goto(base_url + "/c/lavoro-2026/proposte")
    expect(phone.get_by_text(TEXT)).to_be_visible()
    phone.goto(base_url + "/c/piemonte-2018/proposte?q=tirocini+retribuiti")
    expect(phone.get_by_text(TEXT)).to_have_count(0)
    phone.goto(base_url + "/c/lavoro-2026/")
    expect(phone.get_by_text("1 proposta pubblicata")).to_be_visible()
    admin.goto(base_url + "/c/piemonte-2018/pianificazione/temi")
    demo_themes = admin.locator("main a[href*='/pianificazione/temi/']").count()
    assert demo_themes > 0
    admin.goto(base_url + "/c/lavoro-2026/pianificazione/temi")
    expect(admin.locator("main a[href*='/pianificazione/temi/']")).to_have_count(0)
    phone_context.close()
    admin_context.close()
