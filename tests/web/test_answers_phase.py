"""The "answers published" phase flag: while the running phase does not publish answers, the
Region's published answers stay out of every public page, the API and the e-mails (held back),
planners still write and publish them; once a phase publishing answers runs, they appear."""

from datetime import timedelta

import pytest

from consult.framework import phases
from consult.framework.models import Phase
from tests.web.route_world import log_in

ANSWER = "Finanziati duecento alloggi sociali."


def _phase(db, consultation, **flags) -> Phase:
    today = phases.today()
    phase = Phase(
        consultation_id=consultation.id,
        name="Ascolto",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=10),
        **flags,
    )
    db.add(phase)
    db.commit()
    return phase


@pytest.fixture
def answered(db, consultation, create_contribution, create_response, objectives):
    proposal = create_contribution(text="Affitti calmierati per giovani coppie nelle città.")
    create_response(contribution_id=proposal.id, text=ANSWER)
    create_response(objective_id=objectives["abitare"].id, text="Un piano casa regionale.")
    return proposal


def _public_views(client, proposal) -> dict[str, str]:
    return {
        "detail": client.get(f"/proposte/{proposal.id}").get_data(as_text=True),
        "tracking": client.get(f"/traccia/{proposal.tracking_token}").get_data(as_text=True),
        "objective": client.get("/obiettivi/abitare").get_data(as_text=True),
        "api": client.get("/api/v1/responses").get_data(as_text=True),
        "api_objective": client.get("/api/v1/objectives/abitare").get_data(as_text=True),
    }


def test_answers_stay_private_while_the_phase_does_not_publish_them(
    client, db, consultation, answered
):
    _phase(db, consultation, allows_proposals=True)
    assert not phases.answers_public(db, consultation.id)
    views = _public_views(client, answered)
    for name, page in views.items():
        assert ANSWER not in page, name
        assert "Un piano casa regionale." not in page, name
    assert client.get("/api/v1/responses").get_json() == {"responses": []}
    listed = client.get("/proposte", query_string={"risposta": "con"}).get_data(as_text=True)
    assert f"/proposte/{answered.id}" not in listed  # the filter and badge know nothing yet


def test_answers_appear_once_a_phase_publishing_them_runs(client, db, consultation, answered):
    phase = _phase(db, consultation, allows_proposals=True)
    phase.publishes_answers = True
    db.add(phase)
    db.commit()
    views = _public_views(client, answered)
    for name in ("detail", "tracking", "api"):
        assert ANSWER in views[name], name
    assert "Un piano casa regionale." in views["objective"]
    assert "Un piano casa regionale." in views["api_objective"]
    listed = client.get("/proposte", query_string={"risposta": "con"}).get_data(as_text=True)
    assert f"/proposte/{answered.id}" in listed


def test_a_phase_publishing_answers_that_ended_hides_them_again(client, db, consultation, answered):
    today = phases.today()
    db.add(
        Phase(
            consultation_id=consultation.id,
            name="Restituzione",
            starts_on=today - timedelta(days=30),
            ends_on=today - timedelta(days=1),
            publishes_answers=True,
        )
    )
    db.commit()
    assert ANSWER not in client.get(f"/proposte/{answered.id}").get_data(as_text=True)


def test_planners_still_see_and_publish_answers_with_a_warning(
    client, db, consultation, answered, create_user
):
    _phase(db, consultation, allows_proposals=True)
    log_in(client, create_user(role="planner"))
    page = client.get("/pianificazione/risposte/").get_data(as_text=True)
    assert ANSWER in page and 'data-answers="private"' in page
    created = client.post(
        "/pianificazione/risposte/nuova",
        data={"contribution": answered.id, "status": "attuata", "text": "Bozza interna."},
    )
    assert created.status_code in (302, 303)
    client.post("/lingua", data={"lang": "en"})
    english = client.get("/pianificazione/risposte/").get_data(as_text=True)
    assert "does not publish answers" in english
