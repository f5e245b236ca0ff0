"""What of a proposal may be published: the one serialiser the API and exports share."""

from typing import Any

from sqlmodel import Session

from consult.framework.models import Objective, Territory
from consult.proposals.models import Contribution
from consult.proposals.search import support_counts


def contribution_dict(
    db: Session, contribution: Contribution, *, supports: int | None = None
) -> dict[str, Any]:
    """Public fields only: never author, e-mail, tracking token or idempotency key.

    Pass `supports` when a list already counted them (one query per page, not per item).
    """
    if supports is None:
        supports = support_counts(db, [contribution.id]).get(contribution.id or 0, 0)
    territory = db.get(Territory, contribution.territory_id) if contribution.territory_id else None
    suggested = (
        db.get(Objective, contribution.suggested_objective_id)
        if contribution.suggested_objective_id
        else None
    )
    return {
        "id": contribution.id,
        "title": contribution.title or None,
        "text": contribution.text,
        "channel": contribution.channel,
        "territory": territory.code if territory else None,
        "meeting_id": contribution.meeting_id,
        "participant_role": contribution.participant_role,
        "suggested_objective": suggested.code if suggested else None,
        "supports": supports,
        "published_at": contribution.published_at.isoformat()
        if contribution.published_at
        else None,
    }
