"""A live room end to end: two phones in two working groups, a projector per group and one for
the plenary; a quick poll and a priorities round from opening to their frozen result.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from consult import db
from consult.accounts.models import User
from consult.live import services as live_sessions
from consult.meetings.models import Meeting, MeetingFacilitator
from consult.meetings.services import stored_id

FACILITATOR = "facilitatore@example.org"
FULL_HD = {"width": 1920, "height": 1080}
TEXT_CASA = "Servono alloggi a canone calmierato per le famiglie giovani del quartiere."
TEXT_LAVORO = "Tirocini retribuiti nelle imprese del territorio per chi esce dalla scuola."


@pytest.fixture
def room(live_app):
    """A fresh meeting with a live session of two working groups, run by the demo facilitator,
    so nothing here changes the demo session other tests look at."""
    with live_app.app_context(), db.standalone_session() as session:
        facilitator = session.exec(select(User).where(User.email == FACILITATOR)).one()
        template = session.exec(select(Meeting)).first()
        meeting = Meeting(
            consultation_id=template.consultation_id,
            territory_id=template.territory_id,
            title="Laboratorio e2e dei gruppi",
            status="open",
        )
        session.add(meeting)
        session.flush()
        session.add(MeetingFacilitator(meeting_id=meeting.id, user_id=facilitator.id))
        live = live_sessions.open_session(
            session,
            meeting,
            actor_id=stored_id(facilitator),
            groups=["Gruppo casa", "Gruppo lavoro"],
        )
        groups = live_sessions.working_groups(session, stored_id(live))
        session.commit()
        return {"id": live.id, "code": live.code, "casa": groups[0].id, "lavoro": groups[1].id}


def _tick(page, label: str) -> None:
    page.get_by_text(label, exact=True).click()
    expect(page.get_by_label(label)).to_be_checked()


def _propose(phone, base_url, code, text, group):
    phone.goto(f"{base_url}/live/{code}")
    phone.get_by_label("La tua proposta").fill(text)
    phone.get_by_label("Gruppo di lavoro").select_option(label=group)
    _tick(phone, "Acconsento alla pubblicazione anonima della proposta")
    phone.get_by_role("button", name="Invia la proposta").click()
    expect(
        phone.get_by_role("heading", name="Grazie, abbiamo ricevuto la tua proposta")
    ).to_be_visible()


def _approve(facilitator, base_url, room, group_key, text):
    facilitator.goto(
        f"{base_url}/facilitatore/sessioni/{room['id']}/moderazione?gruppo={room[group_key]}"
    )
    item = facilitator.locator("li.queue-item", has_text=text)
    item.get_by_role("button", name="Approva").click()
    expect(facilitator.locator("li.queue-item", has_text=text)).to_contain_text("Approvata")


def _font_px(page, selector: str) -> float:
    return page.eval_on_selector(selector, "e => parseFloat(getComputedStyle(e).fontSize)")


def test_two_groups_a_poll_and_a_round_from_start_to_frozen_result(
    browser, base_url, room, signed_in, signed_in_state, screenshot
):
    code = room["code"]
    phone_casa, phone_lavoro = signed_in(None, phone=True), signed_in(None, phone=True)
    facilitator = signed_in(FACILITATOR)

    def projector(scope: str = ""):
        context = browser.new_context(
            locale="it-IT", viewport=FULL_HD, storage_state=signed_in_state(FACILITATOR)
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(f"{base_url}/live/{code}/proiettore{scope}")
        return page

    # 1. Each phone proposes in its own group; each group's queue approves its own.
    _propose(phone_casa, base_url, code, TEXT_CASA, "Gruppo casa")
    _propose(phone_lavoro, base_url, code, TEXT_LAVORO, "Gruppo lavoro")
    _approve(facilitator, base_url, room, "casa", TEXT_CASA)
    facilitator.goto(
        f"{base_url}/facilitatore/sessioni/{room['id']}/moderazione?gruppo={room['casa']}"
    )
    expect(facilitator.locator("li.queue-item", has_text=TEXT_LAVORO)).to_have_count(0)
    _approve(facilitator, base_url, room, "lavoro", TEXT_LAVORO)
    facilitator.goto(
        f"{base_url}/facilitatore/sessioni/{room['id']}/moderazione"
        f"?gruppo={room['casa']}&stato=published"
    )
    facilitator.locator("li.queue-item", has_text=TEXT_CASA).get_by_role(
        "button", name="★ Evidenzia"
    ).click()

    # 2. A projector per group, and the plenary with the groups side by side.
    casa_screen = projector(f"?gruppo={room['casa']}")
    lavoro_screen = projector(f"?gruppo={room['lavoro']}")
    plenary = projector()
    expect(casa_screen.locator(".projector-item-highlighted")).to_contain_text(TEXT_CASA)
    expect(casa_screen.get_by_text(TEXT_LAVORO)).to_have_count(0)
    expect(lavoro_screen.get_by_text(TEXT_LAVORO)).to_be_visible()
    expect(lavoro_screen.get_by_text(TEXT_CASA)).to_have_count(0)
    expect(plenary.locator(".projector-group-column")).to_have_count(2)
    expect(plenary.locator(".projector-group-column", has_text="Gruppo lavoro")).to_contain_text(
        "Tirocini retribuiti"
    )
    assert _font_px(casa_screen, ".projector-item-highlighted") >= 48
    screenshot(plenary, "01-plenary-projector")
    screenshot(casa_screen, "02-group-projector")

    # 3. A quick poll to the whole room: both phones answer, the plenary screen counts them.
    facilitator.goto(f"{base_url}/facilitatore/sessioni/{room['id']}")
    facilitator.get_by_label("Domanda").fill("Ci rivediamo a febbraio?")
    facilitator.get_by_label("Tipo").select_option(label="Una risposta")
    facilitator.get_by_label(re.compile("Risposte, una per riga")).fill("Sì\nNo")
    facilitator.get_by_role("button", name="Apri il sondaggio").click()
    expect(plenary.locator(".projector-mode")).to_contain_text("Ci rivediamo a febbraio?")
    for phone, answer in ((phone_casa, "Sì"), (phone_lavoro, "No")):
        phone.goto(f"{base_url}/live/{code}")
        phone.get_by_role("link", name=re.compile("Sondaggio")).click()
        phone.get_by_text(answer, exact=True).click()
        phone.get_by_role("button", name="Rispondi").click()
        expect(phone.get_by_text("la tua risposta è registrata")).to_be_visible()
    expect(plenary.locator(".projector-mode")).to_contain_text("Hanno risposto 2 telefoni")
    screenshot(plenary, "03-poll-on-projector")
    facilitator.goto(f"{base_url}/facilitatore/sessioni/{room['id']}")
    facilitator.get_by_role("button", name="Chiudi il sondaggio").click()
    expect(facilitator.get_by_text("Sondaggio chiuso: hanno risposto 2 telefoni.")).to_be_visible()

    # 4. A priorities round for one group: its phone spreads its points, then it is frozen.
    facilitator.get_by_label("Chi vota").select_option(label="Gruppo casa")
    facilitator.get_by_label("Come si vota").select_option(label="Punti da distribuire")
    facilitator.get_by_label("Punti per telefono").fill("5")
    facilitator.get_by_role("button", name="Apri il turno").click()
    expect(casa_screen.locator(".projector-mode")).to_contain_text("Hanno votato 0 telefoni")
    phone_casa.goto(f"{base_url}/live/{code}")
    phone_casa.get_by_role("link", name=re.compile("Priorità · Gruppo casa")).click()
    expect(phone_casa.get_by_text(TEXT_LAVORO)).to_have_count(0)  # another group's proposal
    phone_casa.get_by_label(TEXT_CASA).fill("7")
    phone_casa.get_by_role("button", name="Vota").click()
    expect(phone_casa.get_by_role("alert")).to_contain_text("più punti di quelli disponibili")
    phone_casa.get_by_label(TEXT_CASA).fill("5")
    phone_casa.get_by_role("button", name="Vota").click()
    expect(phone_casa.get_by_text("Il tuo voto è registrato")).to_be_visible()
    expect(casa_screen.locator(".projector-mode")).to_contain_text("Ha votato 1 telefono")
    screenshot(casa_screen, "04-round-on-group-projector")
    facilitator.goto(f"{base_url}/facilitatore/sessioni/{room['id']}")
    facilitator.get_by_role("button", name="Chiudi e congela il turno").click()
    expect(
        facilitator.get_by_text(re.compile("Turno chiuso: ha votato 1 telefono"))
    ).to_be_visible()
    phone_casa.get_by_label(TEXT_CASA).fill("4")
    phone_casa.get_by_role("button", name="Vota").click()
    expect(phone_casa.get_by_text("Questo turno di priorità è chiuso").first).to_be_visible()
    csv_link = facilitator.get_by_role("link", name="CSV").first
    download = facilitator.request.get(base_url + csv_link.get_attribute("href"))
    assert download.ok and download.body().startswith(b"\xef\xbb\xbf")
    assert "5" in download.text() and "Servono alloggi" in download.text()
