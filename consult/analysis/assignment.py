"""Which objective(s) a proposal counts for: the ONE rule the matrix, exports, report and API share.

Precedence, first match wins:
1. the planner's confirmed mapping(s) of the proposal;
2. the model's best mapping of the proposal (current run), whatever its confidence, plus its
   secondary mappings at or above the confidence threshold or as confident as the best one;
3. its primary theme's planner mapping, else the theme's best model mapping
   (a merged theme is followed to the theme it was merged into; a discarded theme is skipped;
   an off-strategy theme without mappings counts as fuori-strategia);
4. the objective the author suggested;
5. unmapped.

`None` inside `objective_ids` means fuori-strategia; an empty tuple means unmapped.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from consult.analysis.models import (
    DEFAULT_THRESHOLD,
    AnalysisRun,
    ContributionTheme,
    ObjectiveMapping,
    Theme,
)
from consult.analysis.rows import ids_of, stored_id
from consult.proposals.models import Contribution

SOURCES = ("planner", "model", "theme-planner", "theme-model", "suggested", "unmapped")


@dataclass(frozen=True)
class Assignment:
    """The objectives one proposal counts for, and why."""

    contribution_id: int
    objective_ids: tuple[int | None, ...]
    source: str
    confidence: float | None = None
    theme_id: int | None = None

    @property
    def is_off_strategy(self) -> bool:
        return None in self.objective_ids

    @property
    def is_unmapped(self) -> bool:
        return not self.objective_ids


def current_run(db: Session, consultation_id: int) -> AnalysisRun | None:
    """The run whose themes planners (and the public) see."""
    return db.exec(
        select(AnalysisRun)
        .where(AnalysisRun.consultation_id == consultation_id, AnalysisRun.is_current)
        .order_by(col(AnalysisRun.id).desc())
    ).first()


def current_themes(db: Session, consultation_id: int) -> dict[int, Theme]:
    """Every theme of the current run by id (discarded and merged ones included)."""
    run = current_run(db, consultation_id)
    if run is None:
        return {}
    rows = db.exec(select(Theme).where(Theme.run_id == run.id)).all()
    return {stored_id(theme): theme for theme in rows}


def assign_objectives(
    db: Session,
    contributions: Iterable[Contribution],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[int, Assignment]:
    """Assign every given proposal (all of one consultation) with a handful of queries."""
    contributions = list(contributions)
    if not contributions:
        return {}
    facts = _Facts.load(db, contributions)
    return {
        cid: facts.assign(c, cid, threshold)
        for cid, c in zip(facts.ids, contributions, strict=True)
    }


def assign_ranked(
    db: Session, contributions: Iterable[Contribution]
) -> dict[int, tuple[Assignment, dict[int | None, float | None]]]:
    """The rule at threshold 0, with each counted objective's best confidence (what is stored).

    At threshold t the rule keeps the first objective and those whose confidence is >= t or
    >= the first one's: the stored rows answer any threshold with `counts_at(t)`, in rank order.
    """
    contributions = list(contributions)
    if not contributions:
        return {}
    facts = _Facts.load(db, contributions)
    result = {}
    for cid, contribution in zip(facts.ids, contributions, strict=True):
        found = facts.assign(contribution, cid, 0.0)
        result[cid] = (found, facts.confidences(found))
    return result


@dataclass
class _Facts:
    """What the rule reads for a batch of proposals of one consultation."""

    ids: list[int]
    run_id: int | None
    themes: dict[int, Theme]
    own: dict[int, list[ObjectiveMapping]]
    theme_maps: dict[int, list[ObjectiveMapping]]
    primary: dict[int, int]

    @classmethod
    def load(cls, db: Session, contributions: list[Contribution]) -> "_Facts":
        ids = ids_of(contributions)
        run = current_run(db, contributions[0].consultation_id)
        primary = _primary_themes(db, ids, stored_id(run)) if run is not None else {}
        # A new proposal has no theme yet: the run's themes are read only when one has.
        themes = current_themes(db, contributions[0].consultation_id) if primary else {}
        # Only the themes these proposals count through are read: a new proposal (no theme yet)
        # costs no theme mappings, which a live room submitting hundreds a minute feels.
        effective = (_effective_theme(themes, theme_id) for theme_id in set(primary.values()))
        used = sorted({stored_id(theme) for theme in effective if theme is not None})
        return cls(
            ids,
            run.id if run else None,
            themes,
            _mappings_by(db, ObjectiveMapping.contribution_id, ids),
            _mappings_by(db, ObjectiveMapping.theme_id, used),
            primary,
        )

    def assign(self, contribution: Contribution, cid: int, threshold: float) -> Assignment:
        return _assign_one(
            contribution,
            self.own.get(cid, []),
            self.primary.get(cid),
            self.themes,
            self.theme_maps,
            self.run_id,
            threshold,
        )

    def confidences(self, found: Assignment) -> dict[int | None, float | None]:
        """Each objective's best confidence among the mappings the rule picked them from."""
        if found.source in ("planner", "theme-planner"):
            return dict.fromkeys(found.objective_ids, 1.0)
        if found.source == "model":
            mappings = [
                m
                for m in self.own.get(found.contribution_id, [])
                if m.source == "model" and (self.run_id is None or m.run_id in (None, self.run_id))
            ]
        elif found.source == "theme-model" and found.confidence is not None:
            mappings = [
                m for m in self.theme_maps.get(found.theme_id or 0, []) if m.source == "model"
            ]
        else:
            return dict.fromkeys(found.objective_ids)
        best: dict[int | None, float | None] = {}
        for mapping in mappings:
            seen = best.get(mapping.objective_id)
            best[mapping.objective_id] = max(mapping.confidence, seen or mapping.confidence)
        return {oid: best.get(oid) for oid in found.objective_ids}


def assign_unmapped(contribution: Contribution) -> Assignment:
    """The rule for a proposal no mapping and no theme names yet (one just stored)."""
    return _assign_one(contribution, [], None, {}, {}, None, 0.0)


def assign_one(db: Session, contribution: Contribution, **kwargs) -> Assignment:
    """Assign a single proposal (the tracking page, one-off checks)."""
    return assign_objectives(db, [contribution], **kwargs)[stored_id(contribution)]


def _mappings_by(db: Session, column, keys: list[int]) -> dict[int, list[ObjectiveMapping]]:
    grouped: dict[int, list[ObjectiveMapping]] = defaultdict(list)
    for chunk in _chunks(keys):
        query = select(ObjectiveMapping).where(col(column).in_(chunk))
        for mapping in db.exec(query.order_by(col(ObjectiveMapping.id))).all():
            grouped[getattr(mapping, column.key)].append(mapping)
    return grouped


def _primary_themes(db: Session, ids: list[int], run_id: int) -> dict[int, int]:
    """Each proposal's primary theme in the run."""
    primary: dict[int, int] = {}
    for chunk in _chunks(ids):
        rows = db.exec(
            select(ContributionTheme)
            .join(Theme, col(Theme.id) == ContributionTheme.theme_id)
            .where(
                col(ContributionTheme.contribution_id).in_(chunk),
                Theme.run_id == run_id,
                ContributionTheme.is_primary,
            )
            # Deterministic ties (the same order on every database): the last one wins.
            .order_by(col(ContributionTheme.contribution_id), col(ContributionTheme.theme_id))
        ).all()
        primary.update({row.contribution_id: row.theme_id for row in rows})
    return primary


def _chunks(keys: list[int], size: int = 900) -> Iterable[list[int]]:
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def _assign_one(contribution, own, theme_id, themes, theme_maps, run_id, threshold) -> Assignment:
    cid = stored_id(contribution)
    chosen = _pick(own, run_id, threshold)
    if chosen:
        objective_ids, source, confidence = chosen
        return Assignment(cid, objective_ids, source, confidence, theme_id)
    theme = _effective_theme(themes, theme_id)
    if theme is not None:
        chosen = _pick(theme_maps.get(theme.id, []), None, threshold)
        if chosen:
            objective_ids, source, confidence = chosen
            return Assignment(cid, objective_ids, f"theme-{source}", confidence, theme.id)
        if theme.is_off_strategy:
            return Assignment(cid, (None,), "theme-model", None, theme.id)
    if contribution.suggested_objective_id:
        return Assignment(cid, (contribution.suggested_objective_id,), "suggested", None, theme_id)
    return Assignment(cid, (), "unmapped", None, theme_id)


def _pick(
    mappings: list[ObjectiveMapping], run_id: int | None, threshold: float
) -> tuple[tuple[int | None, ...], str, float] | None:
    """Planner mappings win; else model mappings of `run_id` (any run if None) above threshold."""
    confirmed = [m for m in mappings if m.source == "planner"]
    if confirmed:
        return _unique(m.objective_id for m in confirmed), "planner", 1.0
    model = sorted(
        (
            m
            for m in mappings
            if m.source == "model" and (run_id is None or m.run_id in (None, run_id))
        ),
        key=lambda m: -m.confidence,
    )
    if not model:
        return None
    # The best objective always counts (with its calibrated confidence; below the review
    # threshold it is "da verificare", never dropped); secondary ones count above `threshold`,
    # or when as confident as the best (an uncertain best and an equally plausible runner-up:
    # both count and are reviewed, the runner-up is not dropped for the best's uncertainty).
    # The sort is stable and mappings come in id order, so on a tie the model's best stays first.
    floor = min(threshold, model[0].confidence)
    counted = [model[0], *(m for m in model[1:] if m.confidence >= floor)]
    return _unique(m.objective_id for m in counted), "model", model[0].confidence


def _unique(values: Iterable[int | None]) -> tuple[int | None, ...]:
    return tuple(dict.fromkeys(values))


def _effective_theme(themes: dict[int, Theme], theme_id: int | None) -> Theme | None:
    """Follow merges to the surviving theme; a discarded theme assigns nothing."""
    seen: set[int] = set()
    while theme_id is not None and theme_id in themes and theme_id not in seen:
        seen.add(theme_id)
        theme = themes[theme_id]
        if theme.status == "merged" and theme.merged_into_id:
            theme_id = theme.merged_into_id
            continue
        return None if theme.status in ("discarded", "merged") else theme
    return None


def theme_objectives(
    db: Session, themes: Iterable[Theme], *, threshold: float = DEFAULT_THRESHOLD
) -> dict[int, list[tuple[int | None, float, str]]]:
    """Each theme's objectives as (objective_id, confidence, source): planner's, else model's."""
    themes = list(themes)
    maps = _mappings_by(db, ObjectiveMapping.theme_id, ids_of(themes))
    result: dict[int, list[tuple[int | None, float, str]]] = {}
    for theme in themes:
        theme_id = stored_id(theme)
        mappings = maps.get(theme_id, [])
        confirmed = [m for m in mappings if m.source == "planner"]
        chosen = confirmed or sorted(
            (m for m in mappings if m.source == "model" and m.confidence >= threshold),
            key=lambda m: -m.confidence,
        )
        pairs = [
            (m.objective_id, m.confidence if m.source == "model" else 1.0, m.source) for m in chosen
        ]
        if not pairs and theme.is_off_strategy:
            pairs = [(None, 0.0, "model")]
        result[theme_id] = pairs
    return result
