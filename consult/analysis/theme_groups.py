"""Themes inside the strategy's objectives: the top level of the planners' themes page.

A theme belongs to the objective a planner confirmed for it, else to the model's best one
(the same rule that makes every on-strategy proposal count somewhere). Emerging needs
(fuori strategia) form their own group; a theme the model could not place comes last.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session

from consult.analysis.assignment import theme_objectives
from consult.analysis.models import Theme
from consult.framework.models import Objective


@dataclass
class ObjectiveGroup:
    objective: Objective | None
    kind: str  # "objective", "emerging" or "unplaced"
    themes: list[Theme] = field(default_factory=list)

    @property
    def proposals(self) -> int:
        return sum(theme.size for theme in self.themes)


def by_objective(
    db: Session, themes: Iterable[Theme], objectives: list[Objective]
) -> list[ObjectiveGroup]:
    """Every objective in strategy order (empty ones too: a gap is news), then the rest."""
    themes = list(themes)
    placed = theme_objectives(db, themes, threshold=0.0)
    groups = {o.id: ObjectiveGroup(o, "objective") for o in objectives}
    emerging, unplaced = ObjectiveGroup(None, "emerging"), ObjectiveGroup(None, "unplaced")
    for theme in themes:
        best = next((pair[0] for pair in placed.get(theme.id or 0, [])), None)
        if theme.is_off_strategy:
            emerging.themes.append(theme)
        elif best in groups:
            groups[best].themes.append(theme)
        else:
            unplaced.themes.append(theme)
    for group in groups.values():
        group.themes.sort(key=lambda t: -t.size)
    return [*groups.values(), *(g for g in (emerging, unplaced) if g.themes)]
