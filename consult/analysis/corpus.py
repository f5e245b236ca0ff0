"""What one analysis run works on: the published proposals, objectives and planners' labels."""

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from consult.analysis.models import AnalysisRun, ObjectiveMapping
from consult.analysis.rows import existing, ids_of, stored_id
from consult.analysis.theme_engine import ObjectiveInput
from consult.framework.models import OFF_STRATEGY_CODE, Consultation, Objective
from consult.proposals.models import Contribution


@dataclass
class Corpus:
    consultation_id: int
    run_id: int
    contribution_ids: list[int]
    texts: list[str]
    objectives: list[ObjectiveInput]
    objective_ids: dict[str, int]
    labels: dict[int, str] = field(default_factory=dict)

    @property
    def index_of(self) -> dict[int, int]:
        return {cid: i for i, cid in enumerate(self.contribution_ids)}


def document_text(contribution: Contribution) -> str:
    """The text the theme model reads: the title, when there is one, then the proposal."""
    title = (contribution.title or "").strip()
    return f"{title}. {contribution.text}" if title else contribution.text


def load(engine: Engine, run_id: int) -> Corpus:
    """Read everything the run needs in one short session."""
    with Session(engine) as db:
        run = existing(db, AnalysisRun, run_id)
        consultation = existing(db, Consultation, run.consultation_id)
        contributions = db.exec(
            select(Contribution)
            .where(
                Contribution.consultation_id == consultation.id,
                Contribution.status == "published",
            )
            .order_by(col(Contribution.id))
        ).all()
        objectives = db.exec(
            select(Objective)
            .where(Objective.framework_id == consultation.framework_id)
            .order_by(col(Objective.position))
        ).all()
        corpus = Corpus(
            consultation_id=stored_id(consultation),
            run_id=run_id,
            contribution_ids=ids_of(contributions),
            texts=[document_text(c) for c in contributions],
            objectives=[
                ObjectiveInput(
                    o.code,
                    o.title,
                    o.description,
                    tuple(o.keywords or ()),
                    tuple(o.examples or ()),
                )
                for o in objectives
            ],
            objective_ids={o.code: stored_id(o) for o in objectives},
        )
        corpus.labels = _planner_labels(db, corpus, {stored_id(o): o.code for o in objectives})
        return corpus


def _planner_labels(db: Session, corpus: Corpus, codes: dict[int, str]) -> dict[int, str]:
    """Confirmed proposal mappings, as supervised labels by document index."""
    index_of = corpus.index_of
    rows = db.exec(
        select(ObjectiveMapping).where(
            ObjectiveMapping.source == "planner",
            col(ObjectiveMapping.contribution_id).in_(corpus.contribution_ids),
        )
    ).all()
    return {
        index_of[row.contribution_id]: codes.get(row.objective_id, OFF_STRATEGY_CODE)
        if row.objective_id is not None
        else OFF_STRATEGY_CODE
        for row in rows
        if row.contribution_id is not None  # the query selects proposal mappings only
    }
