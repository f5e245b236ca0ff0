"""Figures of the printable consultation report, all from the same rules as the matrix."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, func, select

from consult.accountability.models import Response
from consult.accountability.responses import published_responses
from consult.analysis.assignment import DEFAULT_THRESHOLD
from consult.analysis.open_themes import themes_for_objective
from consult.framework import services as framework
from consult.framework.models import Consultation
from consult.meetings.figures import held_meetings, public_figures
from consult.meetings.models import Meeting
from consult.meetings.services import stored_id
from consult.planning.coverage import (
    Matrix,
    build_matrix,
    kept,
    province_of,
)
from consult.proposals.models import Contribution


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
    provinces = province_of(db, consultation.framework_id)
    consultation_id = stored_id(consultation)
    by_territory = _grouped(db, consultation, Contribution.territory_id)
    # The same figures as the home page, the statistics and the API.
    figures = public_figures(db, consultation_id)
    objectives = framework.objectives(db, consultation.framework_id)
    responses = published_responses(db, consultation_id)
    return Report(
        proposals=figures.proposals,
        by_channel=sorted(figures.per_channel.items(), key=lambda item: (-item[1], item[0])),
        by_territory=_ranked_groups(
            (provinces[value].name if value in provinces else None, count, first)
            for value, count, first in by_territory
        ),
        by_role=_ranked_groups(_grouped(db, consultation, Contribution.participant_role)),
        meetings=figures.meetings_held,
        attendance=figures.interlocutors,
        km_travelled=figures.km_travelled,
        organisations=_organisations(held_meetings(db, consultation_id)),
        matrix=build_matrix(db, consultation, threshold=threshold, **labels),
        themes_by_objective=[
            (o.title, themes_for_objective(db, consultation_id, stored_id(o), threshold=threshold))
            for o in objectives
        ],
        off_strategy_themes=themes_for_objective(db, consultation_id, None, threshold=threshold),
        responses_by_status=_ranked(r.status for r in responses),
        responses=responses,
    )


def _grouped(db: Session, consultation: Consultation, key) -> list[tuple[Any, int, int]]:
    """(value, published proposals, first proposal id) for each value of `key`."""
    query = (
        select(col(key), func.count(), func.min(Contribution.id))
        .where(*kept(consultation))
        .group_by(col(key))
    )
    return [(value, count, first or 0) for value, count, first in db.exec(query).all()]


def _ranked_groups(groups: Iterable[tuple[Any, int, int]]) -> list[tuple[str, int]]:
    """Counts, largest first, ties in order of first appearance (as `_ranked` over rows)."""
    counts: dict[Any, list[int]] = {}
    for value, count, first in groups:
        seen = counts.setdefault(value, [0, first])
        seen[0] += count
        seen[1] = min(seen[1], first)
    ordered = sorted(counts.items(), key=lambda item: (-item[1][0], item[1][1]))
    return [(value, count) for value, (count, _first) in ordered]


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
