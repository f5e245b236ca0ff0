"""Responses: audited edits, exactly one target, and what a proposal's author gets to see."""

import pytest
from sqlmodel import select

from consult.accountability import responses as service
from consult.common.models import AuditLog


def test_every_change_is_audited(db, consultation, objectives, create_user):
    planner = create_user(role="planner")
    response = service.create_response(
        db,
        consultation_id=consultation.id,
        actor_id=planner.id,
        objective_id=objectives["isee"].id,
        text="Ci stiamo lavorando.",
    )
    service.update_response(db, response, actor_id=planner.id, status="accolta", text="Fatto.")
    service.set_published(db, response, True, actor_id=planner.id)
    service.set_published(db, response, False, actor_id=planner.id)
    db.commit()
    entries = db.exec(select(AuditLog).order_by(AuditLog.id)).all()
    assert [e.action for e in entries] == [
        "response.create",
        "response.update",
        "response.publish",
        "response.unpublish",
    ]
    assert all(e.actor_id == planner.id and e.entity_id == str(response.id) for e in entries)
    assert entries[1].before["status"] == "in-valutazione"
    assert entries[1].after["status"] == "accolta" and entries[1].after["text"] == "Fatto."
    assert entries[2].after["published_at"] is not None
    assert entries[3].after["published_at"] is None


@pytest.mark.parametrize(
    "fields",
    [
        {"text": "Senza destinatario"},
        {"text": "Due destinatari", "theme_stable_key": "t", "contribution_id": 1},
        {"text": "   ", "theme_stable_key": "t"},
        {"text": "Stato ignoto", "theme_stable_key": "t", "status": "forse"},
    ],
)
def test_invalid_responses_are_refused(db, consultation, fields):
    with pytest.raises(service.ResponseError):
        service.create_response(db, consultation_id=consultation.id, actor_id=None, **fields)


def test_response_dict_has_no_author(db, objectives, create_response, create_user):
    author = create_user(role="planner", email="segreto@example.org")
    item = create_response(objective_id=objectives["isee"].id, author_id=author.id)
    payload = service.response_dict(db, item)
    assert payload["target"] == {"theme": None, "objective": "isee", "contribution": None}
    assert "author" not in str(payload) and "segreto" not in str(payload)
