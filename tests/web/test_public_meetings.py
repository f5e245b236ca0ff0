"""Public meetings: the calendar, a meeting's page, saying you will come (named or only counted),
and what a closed meeting published."""

import html
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from consult.accounts import personal_data
from consult.meetings.models import MeetingRegistration
from tests.consultation_client import HERE

KEY = "k" * 24


@pytest.fixture
def calendar(create_meeting, territories):
    now = datetime.now(UTC)
    return {
        "coming": create_meeting(
            title="Incontro di Cuneo",
            status="planned",
            place="Sala del consiglio",
            agenda="Presentazione della bozza.\nLavori di gruppo.",
            territory_id=territories["cuneo"].id,
            starts_at=now + timedelta(days=7),
        ),
        "held": create_meeting(
            title="Incontro di Torino",
            status="closed",
            place="Campus Einaudi",
            starts_at=now - timedelta(days=30),
            attendance=52,
            organisations="Caritas\nACLI",
            minutes="Il gruppo chiede più alloggi sociali.",
            minutes_file="privato.pdf",
        ),
    }


def _registrations(db):
    db.expire_all()
    return db.exec(select(MeetingRegistration)).all()


def test_the_calendar_lists_what_is_coming_and_what_happened(client, calendar):
    page = client.get("/incontri/").get_data(as_text=True)
    coming, held = page.index("Incontro di Cuneo"), page.index("Incontro di Torino")
    assert page.index("In programma e in corso") < coming < page.index("Incontri svolti") < held
    assert "Sala del consiglio · Cuneo" in page
    assert "52 partecipanti" in page


def test_a_closed_meeting_shows_attendance_organisations_and_minutes_but_not_the_file(
    client, calendar
):
    page = client.get(f"/incontri/{calendar['held'].id}").get_data(as_text=True)
    assert "52" in page and "Caritas\nACLI" in page
    assert "Il gruppo chiede più alloggi sociali." in page
    assert "privato.pdf" not in page and "/verbale" not in page
    assert f"/proposte?incontro={calendar['held'].id}" in page
    assert "Parteciperai?" not in page


def test_anyone_says_they_will_come_once_even_with_a_double_tap(client, db, calendar):
    url = f"/incontri/{calendar['coming'].id}/iscrizione"
    first = client.post(url, data={"idempotency_key": KEY})
    assert first.status_code == 303
    again = client.post(url, data={"idempotency_key": KEY}, follow_redirects=True)
    assert "Eri già iscritta o iscritto." in again.get_data(as_text=True)
    assert len(_registrations(db)) == 1
    page = client.get(f"/incontri/{calendar['coming'].id}").get_data(as_text=True)
    assert "Finora 1 persona ha detto che parteciperà." in page
    listing = client.get("/incontri/").get_data(as_text=True)
    assert "1 persona ha detto che parteciperà" in listing


def test_a_name_or_address_needs_consent_and_the_form_keeps_what_was_typed(client, db, calendar):
    url = f"/incontri/{calendar['coming'].id}/iscrizione"
    refused = client.post(url, data={"name": "Giulia", "email": "giulia@example.org"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Per lasciare nome o e-mail devi accettare l'informativa privacy." in page
    assert 'value="Giulia"' in page and 'value="giulia@example.org"' in page
    assert _registrations(db) == []
    bad = client.post(url, data={"email": "giulia@", "consent": "y"})
    assert bad.status_code == 422
    assert "Controlla l'e-mail: sembra incompleta." in bad.get_data(as_text=True)
    data = {"name": "Giulia", "email": "Giulia@Example.org", "consent": "y"}
    assert client.post(url, data={**data, "idempotency_key": KEY}).status_code == 303
    twice = client.post(url, data={**data, "idempotency_key": "z" * 24}, follow_redirects=True)
    assert "Eri già iscritta o iscritto." in twice.get_data(as_text=True)
    [registration] = _registrations(db)
    assert (registration.name, registration.email) == ("Giulia", "giulia@example.org")


def test_a_meeting_that_took_place_takes_no_registration(client, db, calendar):
    response = client.post(f"/incontri/{calendar['held'].id}/iscrizione", data={})
    assert response.status_code == 409
    page = html.unescape(response.get_data(as_text=True))
    assert "L'incontro si è già svolto: le iscrizioni sono chiuse." in page
    assert _registrations(db) == []


def test_an_unknown_meeting_is_404(client, calendar):
    assert client.get("/incontri/999999").status_code == 404
    assert client.post("/incontri/999999/iscrizione", data={}).status_code == 404


def test_the_meeting_page_speaks_english(client, calendar):
    client.post("/lingua", data={"lang": "en"})
    page = client.get(f"/incontri/{calendar['coming'].id}").get_data(as_text=True)
    assert "Will you come?" in page and "I will come" in page


def test_the_facilitator_sees_who_registered(client, db, auth, create_user, calendar):
    client.post(
        f"/incontri/{calendar['coming'].id}/iscrizione",
        data={"name": "Mario", "consent": "y", "idempotency_key": KEY},
    )
    admin = create_user(role="admin")
    auth.login(admin.email)
    page = client.get(f"/facilitatore/incontri/{calendar['coming'].id}").get_data(as_text=True)
    assert "1 persona ha detto che parteciperà." in page and "Mario" in page


def test_home_and_objective_pages_link_the_calendar(client, calendar, objectives):
    assert f'href="{HERE}/incontri/"' in client.get(f"{HERE}/").get_data(as_text=True)
    assert f'href="{HERE}/incontri/"' in client.get("/obiettivi/isee").get_data(as_text=True)


def test_registrations_with_a_verified_address_are_in_my_data_and_erased_with_it(
    client, db, create_user, calendar
):
    client.post(
        f"/incontri/{calendar['coming'].id}/iscrizione",
        data={"name": "Anna", "email": "anna@example.org", "consent": "y", "idempotency_key": KEY},
    )
    user = create_user(email="anna@example.org", email_verified_at=datetime.now(UTC))
    exported = personal_data.export(db, user, lambda token: token)
    assert [r["name"] for r in exported["meeting_registrations"]] == ["Anna"]
    personal_data.delete_account(db, user)
    db.commit()
    [registration] = _registrations(db)
    assert (registration.name, registration.email) == ("", None)  # still counted


def test_an_unverified_account_gets_nothing_of_a_registration(client, db, create_user, calendar):
    client.post(
        f"/incontri/{calendar['coming'].id}/iscrizione",
        data={"name": "Anna", "email": "anna@example.org", "consent": "y", "idempotency_key": KEY},
    )
    user = create_user(email="anna@example.org")
    assert personal_data.export(db, user, lambda token: token)["meeting_registrations"] == []
