"""Analysis runs as jobs: starting one, reading its state, failing runs whose worker died."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, desc, func, select

from consult.accounts.models import User
from consult.analysis.models import AnalysisRun
from consult.analysis.rows import stored_id
from consult.common.models import utcnow
from consult.framework.models import Consultation
from consult.proposals.models import Contribution

ACTIVE_STATES = ("queued", "running")
STALE_ERROR = "stale"
# A queued job may legitimately wait for a busy RQ worker; a running one beats every few s.
QUEUED_STALE_FACTOR = 10

MIN_PROPOSALS = 3  # nlp's ThemeModel refuses fewer texts
STAGES = ("loading", "embedding", "fitting", "mapping", "matching", "saving")


class TooFewProposalsError(Exception):
    """Theme modelling needs a minimum number of published proposals."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} published proposals, at least {MIN_PROPOSALS} needed")
        self.count = count


class AnalysisBusyError(Exception):
    """Another run of the same consultation is queued or running."""

    def __init__(self, run: AnalysisRun) -> None:
        super().__init__(f"run {run.id} is {run.status}")
        self.run = run


def start(
    db: Session, consultation: Consultation, user: User | None, *, stale_after: int, params: dict
) -> AnalysisRun:
    """Queue a run unless one is already active for this consultation (stale ones fail first)."""
    consultation_id = stored_id(consultation)
    sweep_stale(db, stale_after=stale_after, consultation_id=consultation_id)
    active = active_run(db, consultation_id)
    if active is not None:
        raise AnalysisBusyError(active)
    published = db.exec(
        select(func.count())
        .select_from(Contribution)
        .where(Contribution.consultation_id == consultation_id, Contribution.status == "published")
    ).one()
    if published < MIN_PROPOSALS:
        raise TooFewProposalsError(published)
    run = AnalysisRun(
        consultation_id=consultation_id,
        status="queued",
        stage="queued",
        started_by_id=user.id if user else None,
        params=dict(params),
    )
    db.add(run)
    db.flush()
    return run


def active_run(db: Session, consultation_id: int) -> AnalysisRun | None:
    return db.exec(
        select(AnalysisRun).where(
            AnalysisRun.consultation_id == consultation_id,
            col(AnalysisRun.status).in_(ACTIVE_STATES),
        )
    ).first()


def history(db: Session, consultation_id: int, limit: int = 20) -> list[AnalysisRun]:
    return list(
        db.exec(
            select(AnalysisRun)
            .where(AnalysisRun.consultation_id == consultation_id)
            .order_by(desc(AnalysisRun.created_at), desc(AnalysisRun.id))
            .limit(limit)
        ).all()
    )


def read(db: Session, run_id: int, *, stale_after: int) -> AnalysisRun | None:
    """A run's state; reading a run whose worker stopped beating marks it failed."""
    run = db.get(AnalysisRun, run_id)
    if run is not None and _is_stale(run, utcnow(), stale_after):
        _fail_stale(run)
    return run


def sweep_stale(db: Session, *, stale_after: int, consultation_id: int | None = None) -> int:
    """Fail every active run whose worker is gone (at start-up and before a new start)."""
    query = select(AnalysisRun).where(col(AnalysisRun.status).in_(ACTIVE_STATES))
    if consultation_id is not None:
        query = query.where(AnalysisRun.consultation_id == consultation_id)
    now = utcnow()
    stale = [run for run in db.exec(query).all() if _is_stale(run, now, stale_after)]
    for run in stale:
        _fail_stale(run)
    db.flush()
    return len(stale)


def _is_stale(run: AnalysisRun, now: datetime, stale_after: int) -> bool:
    if run.status == "running":
        last = run.heartbeat_at or run.started_at or run.created_at
        return _aware(last) < now - timedelta(seconds=stale_after)
    if run.status == "queued":
        return _aware(run.created_at) < now - timedelta(seconds=stale_after * QUEUED_STALE_FACTOR)
    return False


def _fail_stale(run: AnalysisRun) -> None:
    run.status = "failed"
    run.error = STALE_ERROR
    run.finished_at = utcnow()


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def duration_seconds(run: AnalysisRun) -> float | None:
    if run.started_at is None or run.finished_at is None:
        return None
    return round((_aware(run.finished_at) - _aware(run.started_at)).total_seconds(), 1)
