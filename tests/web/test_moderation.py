"""The moderation queue from the browser: with and without htmx, one at a time or in bulk."""

import pytest
from sqlmodel import select

from consult.common.models import AuditLog
from consult.proposals.models import AbuseReport, Contribution


@pytest.fixture
def room(db, auth, create_user, create_live_session, create_contribution):
    facilitator = create_user(role="facilitator")
    live = create_live_session(facilitators=[facilitator])
    auth.login(facilitator.email)

    def item(text="Servono più educatori di strada nei quartieri.", **fields):
        fields.setdefault("status", "pending")
        return create_contribution(
            text=text, live_session_id=live.id, meeting_id=live.meeting_id, channel="live", **fields
        )

    return live, item


def _url(live, item, action):
    return f"/facilitatore/sessioni/{live.id}/proposte/{item.id}/{action}"


def test_the_queue_lists_pending_items_with_their_abuse_reports(client, db, room):
    live, item = room
    first = item("Più posti negli asili nido di montagna, subito.")
    db.add(AbuseReport(contribution_id=first.id, reason="Linguaggio offensivo"))
    db.commit()
    page = client.get(f"/facilitatore/sessioni/{live.id}/moderazione").get_data(as_text=True)
    assert "Più posti negli asili nido di montagna" in page
    assert "Segnalazione: Linguaggio offensivo" in page
    assert "moderation.js" in page and "Scorciatoie da tastiera" in page
    fragment = client.get(
        f"/facilitatore/sessioni/{live.id}/moderazione?frammento=1", headers={"HX-Request": "true"}
    )
    assert "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in fragment.get_data(as_text=True)


def test_approve_without_javascript_redirects_to_the_queue(client, db, room):
    live, item = room
    pending = item()
    response = client.post(_url(live, pending, "approva"))
    assert response.status_code == 303 and "/moderazione" in response.headers["Location"]
    db.refresh(pending)
    assert pending.status == "published"


def test_approve_with_htmx_returns_the_item_fragment(client, db, room):
    live, item = room
    pending = item()
    response = client.post(_url(live, pending, "approva"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f'id="proposta-{pending.id}"' in body and "Approvata" in body


def test_reject_needs_a_reason_and_says_so(client, db, room):
    live, item = room
    pending = item()
    refused = client.post(_url(live, pending, "rifiuta"), data={"reason": " "})
    assert refused.status_code == 422
    assert "Indica il motivo del rifiuto" in refused.get_data(as_text=True)
    db.refresh(pending)
    assert pending.status == "pending"
    assert (
        client.post(_url(live, pending, "rifiuta"), data={"reason": "Fuori tema"}).status_code
        == 303
    )
    db.refresh(pending)
    assert (pending.status, pending.rejection_reason) == ("rejected", "Fuori tema")


def test_correcting_keeps_the_original_and_audits(client, db, room):
    live, item = room
    pending = item("Servono piu educatori di strada nei quartieri")
    response = client.post(
        _url(live, pending, "correggi"),
        data={"text": "Servono più educatori di strada nei quartieri."},
    )
    assert response.status_code == 303
    db.refresh(pending)
    assert pending.original_text == "Servono piu educatori di strada nei quartieri"
    entry = db.exec(select(AuditLog).where(AuditLog.action == "moderation.correct")).one()
    assert entry.after["text"] == "Servono più educatori di strada nei quartieri."


def test_highlight_and_discussed_toggle(client, db, room):
    live, item = room
    shown = item(status="published")
    client.post(_url(live, shown, "evidenzia"), data={"value": "1"})
    client.post(_url(live, shown, "discussa"), data={"value": "1"})
    db.refresh(shown)
    assert shown.highlighted and shown.discussed
    client.post(_url(live, shown, "evidenzia"), data={"value": "0"})
    db.refresh(shown)
    assert not shown.highlighted


def test_bulk_approve_and_reject(client, db, room):
    live, item = room
    a, b, c = item(), item(), item()
    response = client.post(
        f"/facilitatore/sessioni/{live.id}/moderazione/blocco",
        data={"ids": [str(a.id), str(b.id)], "action": "approva"},
    )
    assert response.status_code == 303
    refused = client.post(
        f"/facilitatore/sessioni/{live.id}/moderazione/blocco",
        data={"ids": [str(c.id)], "action": "rifiuta", "reason": ""},
    )
    assert refused.status_code == 303
    client.post(
        f"/facilitatore/sessioni/{live.id}/moderazione/blocco",
        data={"ids": [str(c.id)], "action": "rifiuta", "reason": "Doppione"},
    )
    statuses = [db.get(Contribution, x.id) for x in (a, b, c)]
    for row in statuses:
        db.refresh(row)
    assert [r.status for r in statuses] == ["published", "published", "rejected"]


def test_merge_page_suggests_near_duplicates_and_merges(client, db, room):
    live, item = room
    target = item("Più posti negli asili nido comunali di montagna.", status="published")
    duplicate = item("Più posti negli asili nido comunali in montagna!")
    page = client.get(_url(live, duplicate, "unisci")).get_data(as_text=True)
    assert f'value="{target.id}"' in page
    refused = client.post(_url(live, duplicate, "unisci"), data={"target": "999999"})
    assert refused.status_code == 422
    response = client.post(_url(live, duplicate, "unisci"), data={"target": str(target.id)})
    assert response.status_code == 303
    db.refresh(duplicate)
    db.refresh(target)
    assert duplicate.status == "merged" and duplicate.merged_into_id == target.id
    assert target.provenance["merged_ids"] == [duplicate.id]


def test_a_long_queue_shows_the_oldest_page_and_says_how_many_wait(client, db, room, monkeypatch):
    monkeypatch.setattr("consult.live.moderation.QUEUE_LIMIT", 2)
    live, item = room
    oldest = [item(f"Proposta numero {n} inviata dalla sala.") for n in range(3)]
    page = client.get(f"/facilitatore/sessioni/{live.id}/moderazione").get_data(as_text=True)
    assert "Sono mostrate 2 proposte su 3" in page
    assert f'id="proposta-{oldest[0].id}"' in page and f'id="proposta-{oldest[2].id}"' not in page
