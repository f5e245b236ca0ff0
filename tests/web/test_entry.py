"""Fast entry: what was said in the room or written on paper, typed in one after another."""

import re

import pytest
from sqlmodel import select

from consult.common.models import AuditLog
from consult.framework.models import Territory
from consult.proposals.models import Contribution, Support

KEY = "a" * 32


def _url(meeting, suffix="inserimento"):
    return f"/facilitatore/incontri/{meeting.id}/{suffix}"


def _entry(**fields):
    data = {
        "text": "Servono più educatori di strada nei quartieri.",
        "channel": "paper",
        "territory": "",
        "role": "",
        "objective": "",
        "working_group": "",
        "author_name": "",
        "note": "modulo n. 12",
        "idempotency_key": KEY,
    }
    data.update(fields)
    return data


@pytest.fixture
def logged(meeting_staff, auth):
    auth.login(meeting_staff["facilitator"].email)
    return meeting_staff


def test_form_defaults_to_the_meeting_territory_and_autofocuses(client, logged):
    page = client.get(_url(logged["meeting"])).get_data(as_text=True)
    territory_id = logged["meeting"].territory_id
    assert f'<option selected value="{territory_id}">Torino</option>' in page
    assert "autofocus" in page and "js/entry.js" in page
    assert 'name="idempotency_key"' in page


def test_saving_publishes_with_provenance_audit_and_sticky_fields(client, db, logged):
    meeting = logged["meeting"]
    cuneo = db.exec(select(Territory).where(Territory.code == "cuneo")).one()
    response = client.post(_url(meeting), data=_entry(territory=str(cuneo.id), author_name="Ada"))
    assert response.status_code == 302
    assert f"canale=paper&territorio={cuneo.id}" in response.headers["Location"]
    stored = db.exec(select(Contribution)).one()
    assert (stored.status, stored.channel, stored.meeting_id) == ("published", "paper", meeting.id)
    assert stored.territory_id == cuneo.id and stored.author_name == "Ada"
    assert stored.published_at is not None
    assert stored.provenance == {
        "entered_by": logged["facilitator"].id,
        "source": "fast-entry",
        "note": "modulo n. 12",
    }
    audit = db.exec(select(AuditLog)).one()
    assert (audit.action, audit.entity_id) == ("contribution.entered", str(stored.id))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Proposta n. {stored.id} salvata." in page
    assert f'<option selected value="{cuneo.id}">Cuneo</option>' in page
    assert re.search(r'<input checked[^>]*value="paper"', page)
    assert "educatori di strada" in page


def test_double_submit_stores_one_row(client, db, logged):
    first = client.post(_url(logged["meeting"]), data=_entry())
    second = client.post(_url(logged["meeting"]), data=_entry())
    assert first.status_code == second.status_code == 302
    assert len(db.exec(select(Contribution)).all()) == 1
    assert "era già stata salvata" in client.get(second.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("corto", "almeno 10 caratteri"),
        ("1234567890 55", "non solo simboli o emoji"),
        ("x" * 2001, "al massimo 2000 caratteri"),
    ],
)
def test_invalid_text_is_422_keeps_what_was_typed_and_stores_nothing(
    client, db, logged, text, message
):
    response = client.post(_url(logged["meeting"]), data=_entry(text=text, author_name="Bice"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and text[:50] in page and 'value="Bice"' in page
    assert db.exec(select(Contribution)).all() == []


def test_htmx_save_returns_blank_form_and_prepends_the_item(client, db, logged):
    response = client.post(_url(logged["meeting"]), data=_entry(), headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    stored = db.exec(select(Contribution)).one()
    assert response.status_code == 200
    assert "<html" not in page and '<form id="entry-form"' in page
    assert 'hx-swap-oob="afterbegin:#entry-list"' in page
    assert f'id="entry-{stored.id}"' in page
    assert f'value="{KEY}"' not in page  # a new key for the next proposal
    assert "<textarea" in page and "educatori di strada</textarea>" not in page


def test_htmx_invalid_returns_the_form_fragment_with_422(client, logged):
    response = client.post(
        _url(logged["meeting"]), data=_entry(text="no"), headers={"HX-Request": "true"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in page and "almeno 10 caratteri" in page


def test_undo_deletes_own_fresh_entry_with_audit(client, db, logged):
    client.post(_url(logged["meeting"]), data=_entry())
    stored = db.exec(select(Contribution)).one()
    response = client.post(_url(logged["meeting"], f"inserimento/{stored.id}/annulla"))
    assert response.status_code == 302
    assert db.exec(select(Contribution)).all() == []
    actions = [a.action for a in db.exec(select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["contribution.entered", "contribution.entry_undone"]


def test_htmx_undo_replaces_the_saved_message_out_of_band(client, db, logged):
    saved = client.post(_url(logged["meeting"]), data=_entry(), headers={"HX-Request": "true"})
    stored = db.exec(select(Contribution)).one()
    assert f"Proposta n. {stored.id} salvata." in saved.get_data(as_text=True)
    assert 'id="entry-status"' in saved.get_data(as_text=True)
    response = client.post(
        _url(logged["meeting"], f"inserimento/{stored.id}/annulla"), headers={"HX-Request": "1"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page
    assert 'id="entry-status"' in page and 'hx-swap-oob="true"' in page
    assert f"Proposta n. {stored.id} eliminata." in page and "salvata" not in page


def test_undo_refused_for_someone_elses_or_supported_entry(client, db, logged, auth):
    client.post(_url(logged["meeting"]), data=_entry())
    stored = db.exec(select(Contribution)).one()
    db.add(Support(contribution_id=stored.id, browser_token="t1"))
    db.commit()
    response = client.post(
        _url(logged["meeting"], f"inserimento/{stored.id}/annulla"), headers={"HX-Request": "1"}
    )
    assert response.status_code == 200 and "Non si può più annullare" in response.get_data(True)
    db.delete(db.exec(select(Support)).one())
    db.commit()
    auth.logout()
    other = logged["other_facilitator"]
    from consult.meetings.models import MeetingFacilitator

    db.add(MeetingFacilitator(meeting_id=logged["meeting"].id, user_id=other.id))
    db.commit()
    auth.login(other.email)
    client.post(_url(logged["meeting"], f"inserimento/{stored.id}/annulla"))
    assert db.exec(select(Contribution)).one().id == stored.id


def test_undo_of_an_item_of_another_meeting_is_404(
    client, db, logged, create_meeting, create_contribution
):
    elsewhere = create_contribution(meeting_id=create_meeting(title="Altro").id, channel="paper")
    response = client.post(_url(logged["meeting"], f"inserimento/{elsewhere.id}/annulla"))
    assert response.status_code == 404


def test_csrf_is_required(csrf_app, client, db, logged):
    response = client.post(_url(logged["meeting"]), data=_entry())
    assert response.status_code == 400
    assert db.exec(select(Contribution)).all() == []
