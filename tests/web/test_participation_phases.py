"""Participation closes by itself when its phase ends: every form says so and stores nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from consult.framework import phases
from consult.framework.models import Phase
from consult.proposals import services as proposals
from consult.proposals.models import Contribution

CLOSED = "è chiusa: non è stato registrato nulla."
ONLINE = {
    "text": "Servono più posti negli asili nido comunali.",
    "territory": "torino",
    "role": "cittadino",
    "consent": "y",
    "idempotency_key": "k" * 24,
}


def _phase(db, consultation, *, days_left: int, **flags) -> Phase:
    today = phases.today()
    phase = Phase(
        consultation_id=consultation.id,
        name="Ascolto",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=days_left),
        **flags,
    )
    db.add(phase)
    db.commit()
    return phase


def _stored(db) -> int:
    return db.exec(select(func.count()).select_from(Contribution)).one()


def test_the_online_form_is_open_while_its_phase_runs(client, db, consultation):
    _phase(db, consultation, days_left=0, allows_proposals=True)  # its last day still counts
    assert CLOSED not in client.get("/proposte/nuova").get_data(as_text=True)
    assert client.post("/proposte/nuova", data=ONLINE).status_code == 303
    assert _stored(db) == 1


def test_after_its_phase_the_online_form_says_so_and_stores_nothing(client, db, consultation):
    _phase(db, consultation, days_left=-1, allows_proposals=True)
    page = client.get("/proposte/nuova")
    assert page.status_code == 200 and CLOSED in page.get_data(as_text=True)
    assert 'name="text"' not in page.get_data(as_text=True)
    response = client.post("/proposte/nuova", data=ONLINE)
    assert response.status_code == 409 and CLOSED in response.get_data(as_text=True)
    assert _stored(db) == 0


def test_the_closed_form_speaks_english_too(client, db, consultation):
    _phase(db, consultation, days_left=-1, allows_proposals=True)
    client.post("/lingua", data={"lang": "en"})
    assert "is closed: nothing was recorded." in client.get("/proposte/nuova").get_data(
        as_text=True
    )


def test_a_phase_allowing_something_else_closes_proposals(client, db, consultation):
    _phase(db, consultation, days_left=10, allows_analysis=True)
    assert CLOSED in client.get("/proposte/nuova").get_data(as_text=True)


def test_the_live_phone_form_follows_the_live_sessions_phase(
    client, db, consultation, create_live_session
):
    live = create_live_session(status="open")
    phase = _phase(db, consultation, days_left=5, allows_live=True)
    assert 'name="text"' in client.get(f"/live/{live.code}").get_data(as_text=True)
    phase.allows_live, phase.allows_proposals = False, True
    db.add(phase)
    db.commit()
    page = client.get(f"/live/{live.code}").get_data(as_text=True)
    assert "non si raccolgono proposte dalle sessioni dal vivo" in page
    data = {"text": ONLINE["text"], "territory": "1", "consent": "y", "idempotency_key": "l" * 24}
    assert client.post(f"/live/{live.code}", data=data).status_code == 409
    assert _stored(db) == 0


def test_fast_entry_closes_with_the_proposals_phase(
    client, auth, db, consultation, create_user, create_meeting
):
    facilitator = create_user(role="facilitator")
    meeting = create_meeting(facilitators=[facilitator], status="open")
    _phase(db, consultation, days_left=-3, allows_proposals=True)
    auth.login(facilitator.email)
    page = client.get(f"/facilitatore/incontri/{meeting.id}/inserimento")
    assert CLOSED in page.get_data(as_text=True)
    data = {"text": ONLINE["text"], "channel": "meeting", "idempotency_key": "f" * 24}
    response = client.post(f"/facilitatore/incontri/{meeting.id}/inserimento", data=data)
    assert response.status_code == 409
    assert _stored(db) == 0


def test_the_constructor_refuses_a_proposal_made_now_but_keeps_dated_ones(db, consultation):
    _phase(db, consultation, days_left=-1, allows_proposals=True)
    draft = proposals.Draft(
        consultation_id=consultation.id, text=ONLINE["text"], channel="paper", provenance={}
    )
    with pytest.raises(phases.ParticipationClosed):
        proposals.create(db, draft, actor_id=None)
    dated = proposals.Draft(
        consultation_id=consultation.id,
        text=ONLINE["text"],
        channel="paper",
        provenance={"source": "import"},
        created_at=datetime.now(UTC) - timedelta(days=10),
    )
    assert proposals.create(db, dated, actor_id=None)[1] is True


def test_phases_without_flags_govern_nothing(db, consultation):
    _phase(db, consultation, days_left=-100)
    assert phases.allows(db, consultation.id, "proposals")
    assert phases.allows(db, consultation.id, "live")


LIVE_REFUSED = "non prevede sessioni dal vivo: la sessione non è stata aperta."


def test_a_live_session_opens_only_while_a_phase_allows_live_sessions(
    client, auth, db, consultation, create_user, create_meeting
):
    from consult.meetings.models import LiveSession

    facilitator = create_user(role="facilitator")
    meeting = create_meeting(facilitators=[facilitator], status="open")
    phase = _phase(db, consultation, days_left=5, allows_proposals=True)
    auth.login(facilitator.email)
    url = f"/facilitatore/incontri/{meeting.id}/sessioni"
    refused = client.post(url, data={"moderation": "pre"})
    assert refused.status_code == 409 and LIVE_REFUSED in refused.get_data(as_text=True)
    assert db.exec(select(func.count()).select_from(LiveSession)).one() == 0
    client.post("/lingua", data={"lang": "en"})
    english = client.post(url, data={"moderation": "pre"}).get_data(as_text=True)
    assert "does not allow live sessions: the session was not opened." in english
    phase.allows_live = True
    db.add(phase)
    db.commit()
    assert client.post(url, data={"moderation": "pre"}).status_code == 303
    assert db.exec(select(func.count()).select_from(LiveSession)).one() == 1


def test_the_rule_refuses_a_live_session_outside_its_phase(db, consultation, create_meeting):
    from consult.live import services as live_sessions

    meeting = create_meeting(status="open")
    _phase(db, consultation, days_left=-1, allows_live=True)  # ended yesterday
    with pytest.raises(phases.ParticipationClosed) as refused:
        live_sessions.open_session(db, meeting, actor_id=None)
    assert refused.value.what == "live"


def test_a_phone_cannot_support_or_vote_once_live_sessions_close(
    app, client, db, consultation, create_live_session, create_contribution
):
    from consult.live.models import PriorityRound
    from consult.proposals.models import Support

    live = create_live_session(status="open")
    item = create_contribution(
        text="Un bus notturno per i paesi delle valli.",
        live_session_id=live.id,
        meeting_id=live.meeting_id,
        channel="live",
        status="published",
    )
    round_ = PriorityRound(live_session_id=live.id, method="points", points=5)
    db.add(round_)
    db.commit()
    phase = _phase(db, consultation, days_left=5, allows_live=True)
    phone = app.test_client()
    phone.get(f"/c/{consultation.slug}/live/{live.code}")
    phase.allows_live, phase.allows_proposals = False, True
    db.add(phase)
    db.commit()
    base = f"/c/{consultation.slug}/live/{live.code}"
    tap = phone.post(f"{base}/proposte/{item.id}/sostieni")
    assert tap.status_code == 409
    assert "non si raccolgono proposte dalle sessioni dal vivo" in tap.get_data(as_text=True)
    vote = phone.post(f"{base}/priorita/{round_.id}", data={f"punti-{item.id}": "3"})
    assert vote.status_code == 409
    assert db.exec(select(func.count()).select_from(Support)).one() == 0
