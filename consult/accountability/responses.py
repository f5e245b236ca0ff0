"""The region's public answers ("hai detto, abbiamo fatto") to themes, objectives and proposals."""

from typing import Any

from sqlalchemy import ColumnElement, false, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from consult.accountability.models import RESPONSE_STATES, Response
from consult.analysis.assignment import current_run
from consult.analysis.models import (
    DEFAULT_THRESHOLD,
    ContributionAssignment,
    ContributionTheme,
    Theme,
    counts_at,
)
from consult.common import audit
from consult.common.models import utcnow
from consult.framework import phases
from consult.framework.models import Objective
from consult.meetings.services import stored_id
from consult.notifications import services as notifications
from consult.proposals.models import Contribution

EDITABLE = ("status", "text", "theme_stable_key", "objective_id", "contribution_id")


class ResponseError(ValueError):
    """A response that cannot be saved as asked; the message names the reason."""


def snapshot(response: Response) -> dict[str, Any]:
    """The audited state of a response."""
    return {name: getattr(response, name) for name in (*EDITABLE, "published_at")}


def create_response(
    db: Session, *, consultation_id: int, actor_id: int | None, **fields
) -> Response:
    """Add a draft response attached to exactly one target."""
    response = Response(consultation_id=consultation_id, author_id=actor_id, text="")
    _apply(response, fields)
    return _save_audited(db, response, "response.create", actor_id=actor_id, before=None)


def update_response(db: Session, response: Response, *, actor_id: int | None, **fields) -> Response:
    """Change a response's status, text or target; the audit log keeps the previous state."""
    before = snapshot(response)
    _apply(response, fields)
    response.updated_at = utcnow()
    return _save_audited(db, response, "response.update", actor_id=actor_id, before=before)


def set_published(db: Session, response: Response, published: bool, *, actor_id: int | None):
    """Publish (or withdraw) a response from the public pages and the API."""
    before = snapshot(response)
    response.published_at = (response.published_at or utcnow()) if published else None
    response.updated_at = utcnow()
    action = "response.publish" if published else "response.unpublish"
    saved = _save_audited(db, response, action, actor_id=actor_id, before=before)
    if published and before["published_at"] is None:
        notifications.answer_published(  # held back while the phase keeps answers private
            db,
            response_id=stored_id(response),
            consultation_id=response.consultation_id,
            status=response.status,
            text=response.text,
            contributions=concerned_proposals(db, response),
            objective_ids=[response.objective_id] if response.objective_id else [],
        )
    if not published:
        notifications.answer_withdrawn(db, stored_id(response))
    return saved


def concerned_proposals(db: Session, response: Response) -> list[Contribution]:
    """The proposals an answer concerns: its own, its theme's members (current analysis), or
    those counting for its objective, as the proposal pages and the answers filter say."""
    if response.contribution_id is not None:
        found = db.get(Contribution, response.contribution_id)
        return [found] if found is not None else []
    run = current_run(db, response.consultation_id)
    query = select(Contribution).where(Contribution.consultation_id == response.consultation_id)
    if response.theme_stable_key is not None:
        if run is None:
            return []
        members = (
            select(ContributionTheme.contribution_id)
            .join(Theme, col(Theme.id) == ContributionTheme.theme_id)
            .where(Theme.stable_key == response.theme_stable_key, Theme.run_id == run.id)
        )
        return list(db.exec(query.where(col(Contribution.id).in_(members))).all())
    # Those counting for the objective by the one rule (its stored result).
    counting = select(ContributionAssignment.contribution_id).where(
        ContributionAssignment.objective_id == response.objective_id,
        counts_at(DEFAULT_THRESHOLD),
    )
    return list(db.exec(query.where(col(Contribution.id).in_(counting))).all())


def _save_audited(
    db: Session, response: Response, action: str, *, actor_id: int | None, before: dict | None
) -> Response:
    """Flush the response and record the change, with its state before and after."""
    db.add(response)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action=action,
        entity_type="response",
        entity_id=stored_id(response),
        before=before,
        after=snapshot(response),
    )
    return response


def _apply(response: Response, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ResponseError(f"unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(response, name, value)
    if response.status not in RESPONSE_STATES:
        raise ResponseError(f"unknown status {response.status!r}")
    targets = [response.theme_stable_key, response.objective_id, response.contribution_id]
    if sum(target is not None for target in targets) != 1:
        raise ResponseError("a response needs exactly one target")
    if not (response.text or "").strip():
        raise ResponseError("a response needs a text")


def published_query(consultation_id: int) -> SelectOfScalar[Response]:
    """Published responses of a consultation, newest first."""
    return (
        select(Response)
        .where(Response.consultation_id == consultation_id, col(Response.published_at).is_not(None))
        .order_by(col(Response.published_at).desc(), col(Response.id).desc())
    )


def public_query(db: Session, consultation_id: int) -> SelectOfScalar[Response]:
    """The answers the public may read now: published ones, while the consultation's phase
    publishes answers (`phases.answers_public`); none otherwise. Every public page, the API
    and the badges read through here; planners read `published_query` and the drafts."""
    query = published_query(consultation_id)
    return query if phases.answers_public(db, consultation_id) else query.where(false())


def published_responses(db: Session, consultation_id: int) -> list[Response]:
    """Every published answer, public yet or not (the planners' report)."""
    return list(db.exec(published_query(consultation_id)))


def public_responses(db: Session, consultation_id: int) -> list[Response]:
    return list(db.exec(public_query(db, consultation_id)))


def consultation_responses(db: Session, consultation_id: int) -> list[Response]:
    """Every response of a consultation, drafts included, last changed first."""
    query = (
        select(Response)
        .where(Response.consultation_id == consultation_id)
        .order_by(col(Response.updated_at).desc(), col(Response.id).desc())
    )
    return list(db.exec(query))


def get_response(db: Session, response_id: int, consultation_id: int) -> Response | None:
    """The response with this number, if it belongs to the consultation."""
    response = db.get(Response, response_id)
    if response is None or response.consultation_id != consultation_id:
        return None
    return response


def proposal_exists(db: Session, consultation_id: int, contribution_id: int) -> bool:
    """Whether a response may target this proposal: it exists in the same consultation."""
    found = db.get(Contribution, contribution_id)
    return found is not None and found.consultation_id == consultation_id


def responses_for_objective(
    db: Session, consultation_id: int, objective_id: int | None, stable_keys: list[str]
) -> list[Response]:
    """Public answers to an objective (None: none) or to the themes mapped onto it."""
    conditions: list[ColumnElement[bool]] = []
    if objective_id is not None:
        conditions.append(col(Response.objective_id) == objective_id)
    if stable_keys:
        conditions.append(col(Response.theme_stable_key).in_(stable_keys))
    if not conditions:
        return []
    return list(db.exec(public_query(db, consultation_id).where(or_(*conditions))))


def response_dict(db: Session, response: Response) -> dict[str, Any]:
    """Public fields of a published response (never its author)."""
    objective = db.get(Objective, response.objective_id) if response.objective_id else None
    return {
        "id": response.id,
        "status": response.status,
        "text": response.text,
        "target": {
            "theme": response.theme_stable_key,
            "objective": objective.code if objective else None,
            "contribution": response.contribution_id,
        },
        "published_at": response.published_at.isoformat() if response.published_at else None,
        "updated_at": response.updated_at.isoformat() if response.updated_at else None,
    }
