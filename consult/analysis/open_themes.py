"""Themes as the public sees them: the current run's live themes and their objectives."""

from typing import Any

from sqlmodel import Session, col, select

from consult.analysis.assignment import DEFAULT_THRESHOLD, current_run, theme_objectives
from consult.analysis.models import ContributionTheme, Theme
from consult.analysis.rows import stored_id
from consult.framework.models import OFF_STRATEGY_CODE, Objective
from consult.proposals.models import Contribution

HIDDEN_STATES = ("discarded", "merged")


def visible_themes(db: Session, consultation_id: int) -> list[Theme]:
    """The current run's themes, without discarded ones and those merged into another."""
    run = current_run(db, consultation_id)
    if run is None:
        return []
    return list(
        db.exec(
            select(Theme)
            .where(Theme.run_id == run.id, col(Theme.status).not_in(HIDDEN_STATES))
            .order_by(col(Theme.size).desc(), col(Theme.id))
        ).all()
    )


def themes_for_objective(
    db: Session,
    consultation_id: int,
    objective_id: int | None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[tuple[Theme, float]]:
    """Visible themes mapped onto an objective (None: fuori-strategia), with confidence."""
    themes = visible_themes(db, consultation_id)
    mapped = theme_objectives(db, themes, threshold=threshold)
    result = []
    for theme in themes:
        for oid, confidence, _source in mapped[stored_id(theme)]:
            if oid == objective_id:
                result.append((theme, confidence))
    return result


def representative_proposals(db: Session, theme: Theme, limit: int = 3) -> list[Contribution]:
    """A few published proposals of a theme: the representative ones first, then likeliest."""
    return list(
        db.exec(
            select(Contribution)
            .join(ContributionTheme, col(ContributionTheme.contribution_id) == Contribution.id)
            .where(ContributionTheme.theme_id == theme.id, Contribution.status == "published")
            .order_by(
                col(ContributionTheme.is_representative).desc(),
                col(ContributionTheme.probability).desc(),
                col(Contribution.id),
            )
            .limit(limit)
        ).all()
    )


def theme_dicts(
    db: Session, themes: list[Theme], *, threshold: float = DEFAULT_THRESHOLD
) -> list[dict[str, Any]]:
    """Open-data form of themes: label, keywords, size and objectives with confidence."""
    mapped = theme_objectives(db, themes, threshold=threshold)
    codes = {o.id: o.code for o in db.exec(select(Objective)).all()}
    return [
        {
            "id": theme.id,
            "stable_key": theme.stable_key,
            "label": theme.display_label,
            "keywords": list(theme.keywords or []),
            "size": theme.size,
            "status": theme.status,
            "off_strategy": any(oid is None for oid, _c, _s in mapped[stored_id(theme)]),
            "objectives": [
                {
                    "code": codes.get(oid) if oid is not None else OFF_STRATEGY_CODE,
                    "confidence": round(confidence, 3),
                    "source": source,
                }
                for oid, confidence, source in mapped[stored_id(theme)]
            ],
        }
        for theme in themes
    ]
