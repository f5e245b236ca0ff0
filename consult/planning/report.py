"""Figures of the printable consultation report, all from the same rules as the matrix."""

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session

from consult.accountability.models import Response
from consult.accountability.responses import published_responses
from consult.analysis.assignment import DEFAULT_THRESHOLD
from consult.analysis.open_themes import themes_for_objective
from consult.framework import services as framework
from consult.framework.models import Consultation
from consult.meetings.models import Meeting
from consult.meetings.services import stored_id
from consult.planning.coverage import (
    Matrix,
    build_matrix,
    filtered_contributions,
    meetings_of,
    province_of,
)


@dataclass
class Report:
    proposals: int
    by_channel: list[tuple[str, int]]
    by_territory: list[tuple[str, int]]
    by_role: list[tuple[str, int]]
    meetings: int
    attendance: int
    km_travelled: float
    organisations: int
    matrix: Matrix
    themes_by_objective: list[tuple[str, list]] = field(default_factory=list)
    off_strategy_themes: list = field(default_factory=list)
    responses_by_status: list[tuple[str, int]] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)


def build_report(
    db: Session, consultation: Consultation, *, threshold: float = DEFAULT_THRESHOLD, **labels
) -> Report:
    """Participation, themes per objective, coverage and published responses."""
    contributions = filtered_contributions(db, consultation)
    provinces = province_of(db)
    consultation_id = stored_id(consultation)
    # Meetings held, as the public statistics and the home page count them.
    meetings = [m for m in meetings_of(db, consultation_id) if m.status == "closed"]
    objectives = framework.objectives(db, consultation.framework_id)
    responses = published_responses(db, consultation_id)
    return Report(
        proposals=len(contributions),
        by_channel=_ranked(c.channel for c in contributions),
        by_territory=_ranked(
            provinces[c.territory_id].name if c.territory_id in provinces else None
            for c in contributions
        ),
        by_role=_ranked(c.participant_role for c in contributions),
        meetings=len(meetings),
        attendance=sum(m.attendance or 0 for m in meetings),
        km_travelled=round(sum(m.km_travelled or 0 for m in meetings), 1),
        organisations=_organisations(meetings),
        matrix=build_matrix(db, consultation, threshold=threshold, **labels),
        themes_by_objective=[
            (o.title, themes_for_objective(db, consultation_id, stored_id(o), threshold=threshold))
            for o in objectives
        ],
        off_strategy_themes=themes_for_objective(db, consultation_id, None, threshold=threshold),
        responses_by_status=_ranked(r.status for r in responses),
        responses=responses,
    )


def _ranked(values) -> list[tuple[str, int]]:
    """Counts, largest first; None (not stated) is kept as its own entry."""
    return Counter(values).most_common()


def _organisations(meetings: list[Meeting]) -> int:
    """Distinct organisations named in the meetings' attendance lists (one per line or comma)."""
    names = set()
    for meeting in meetings:
        for part in meeting.organisations.replace("\n", ",").split(","):
            if part.strip():
                names.add(part.strip().casefold())
    return len(names)
