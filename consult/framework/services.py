"""The strategy as pages read it: objectives, axes, phases and territories, in display order."""

from sqlmodel import Session, col, select

from consult.framework.models import Axis, Objective, Phase, Territory


def objectives(db: Session, framework_id: int) -> list[Objective]:
    """A framework's objectives in the order the strategy lists them."""
    query = (
        select(Objective)
        .where(Objective.framework_id == framework_id)
        .order_by(col(Objective.position))
    )
    return list(db.exec(query))


def objective_by_code(db: Session, framework_id: int, code: str) -> Objective | None:
    query = select(Objective).where(Objective.framework_id == framework_id, Objective.code == code)
    return db.exec(query).first()


def objective_titles(db: Session) -> dict[int, str]:
    """Every objective's title by id (responses may point at any framework's objective)."""
    return {o.id: o.title for o in db.exec(select(Objective)) if o.id is not None}


def objective_codes(db: Session) -> dict[int, str]:
    return {o.id: o.code for o in db.exec(select(Objective)) if o.id is not None}


def axes(db: Session, framework_id: int) -> list[Axis]:
    query = select(Axis).where(Axis.framework_id == framework_id).order_by(col(Axis.number))
    return list(db.exec(query))


def phases(db: Session, consultation_id: int) -> list[Phase]:
    query = (
        select(Phase).where(Phase.consultation_id == consultation_id).order_by(col(Phase.position))
    )
    return list(db.exec(query))


def territories(db: Session, framework_id: int) -> list[Territory]:
    """A framework's territories, alphabetical: those of other frameworks are not this
    consultation's places."""
    query = (
        select(Territory)
        .where(Territory.framework_id == framework_id)
        .order_by(col(Territory.name), col(Territory.id))
    )
    return list(db.exec(query))


def territory_by_code(db: Session, framework_id: int, code: str) -> Territory | None:
    query = select(Territory).where(Territory.framework_id == framework_id, Territory.code == code)
    return db.exec(query).first()


def territories_by_kind(db: Session, framework_id: int) -> list[Territory]:
    """A framework's territories, grouped by kind and alphabetical within it (the open-data
    order)."""
    query = (
        select(Territory)
        .where(Territory.framework_id == framework_id)
        .order_by(col(Territory.kind), col(Territory.name))
    )
    return list(db.exec(query))
