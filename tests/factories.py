"""Factory fixtures: small callables that build and commit one object with sensible defaults."""

import itertools
from collections.abc import Callable

import pytest
from sqlmodel import Session, select
from werkzeug.security import generate_password_hash

from consult.accountability.models import Response
from consult.accounts.models import User
from consult.analysis.models import AnalysisRun, ContributionTheme, ObjectiveMapping, Theme
from consult.common.tokens import new_tracking_token
from consult.framework.models import Consultation, Framework, Objective, Territory
from consult.meetings.models import LiveSession, Meeting, MeetingFacilitator
from consult.proposals.models import Contribution

_counter = itertools.count(1)
TEST_PASSWORD = "secret-password"
# Hashing with the default scrypt costs ~50 ms a user; tests do not need that strength.
_TEST_HASH = generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1000")


def _save(db: Session, obj):
    db.add(obj)
    db.commit()
    db.refresh(obj)
    return obj


@pytest.fixture
def create_framework(db: Session) -> Callable[..., Framework]:
    """A small framework: two objectives, two provinces, and its consultation."""

    def factory(code: str = "piemonte-2018") -> Framework:
        framework = _save(db, Framework(code=code, title="Strategia di prova"))
        for position, (obj_code, kind, axis, title) in enumerate(
            [
                ("isee", "cross-cutting", None, "Regolamento ISEE"),
                ("abitare", "sectoral", 4, "Politiche per l'abitare"),
            ]
        ):
            db.add(
                Objective(
                    framework_id=framework.id,
                    code=obj_code,
                    kind=kind,
                    axis_number=axis,
                    title=title,
                    description=f"Descrizione di {title}",
                    position=position,
                    keywords=[obj_code],
                )
            )
        for territory_code, name in (("torino", "Torino"), ("cuneo", "Cuneo")):
            db.add(
                Territory(
                    framework_id=framework.id, code=territory_code, name=name, kind="province"
                )
            )
        db.add(Consultation(slug=code, title="Consultazione di prova", framework_id=framework.id))
        db.commit()
        return framework

    return factory


@pytest.fixture
def consultation(db: Session, create_framework) -> Consultation:
    create_framework()
    return db.exec(select(Consultation)).one()


@pytest.fixture
def create_user(db: Session) -> Callable[..., User]:
    def factory(role: str = "participant", email: str | None = None, **fields) -> User:
        email = email or f"{role}{next(_counter)}@example.org"
        return _save(db, User(email=email, role=role, password_hash=_TEST_HASH, **fields))

    return factory


@pytest.fixture
def create_contribution(db: Session, consultation: Consultation) -> Callable[..., Contribution]:
    def factory(text: str = "Servono più posti nei centri diurni per anziani.", **fields):
        fields.setdefault("status", "published")
        fields.setdefault("tracking_token", new_tracking_token())
        return _save(db, Contribution(consultation_id=consultation.id, text=text, **fields))

    return factory


@pytest.fixture
def create_meeting(db: Session, consultation: Consultation) -> Callable[..., Meeting]:
    def factory(title: str = "Incontro di prova", facilitators=(), **fields) -> Meeting:
        meeting = _save(db, Meeting(consultation_id=consultation.id, title=title, **fields))
        for user in facilitators:
            db.add(MeetingFacilitator(meeting_id=meeting.id, user_id=user.id))
        db.commit()
        return meeting

    return factory


@pytest.fixture
def mail_outbox(app) -> list:
    """Send e-mails to a list instead of the log: the `memory` mail backend."""
    app.config["MAIL_BACKEND"] = "memory"
    app.config["MAIL_OUTBOX"] = []
    return app.config["MAIL_OUTBOX"]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on 127.0.0.1, and the app sending its e-mails to it."""
    from tests.smtp_server import SMTPServer

    server = SMTPServer()
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.close()


@pytest.fixture
def create_analysis(db: Session, consultation: Consultation) -> Callable[..., AnalysisRun]:
    """A finished analysis run (the current one unless told otherwise)."""

    def factory(is_current: bool = True, **fields) -> AnalysisRun:
        if is_current:
            for run in db.exec(select(AnalysisRun).where(AnalysisRun.is_current)).all():
                run.is_current = False
                db.add(run)
        fields.setdefault("status", "succeeded")
        return _save(
            db, AnalysisRun(consultation_id=consultation.id, is_current=is_current, **fields)
        )

    return factory


@pytest.fixture
def create_theme(db: Session, consultation: Consultation) -> Callable[..., Theme]:
    """A theme of `run` with its member proposals (primary unless told) and objective mappings.

    `objectives` lists (Objective or None for fuori-strategia, model confidence) pairs;
    `confirmed` lists objectives (or None) a planner confirmed.
    """

    def factory(
        run,
        label="Tema di prova",
        members=(),
        objectives=(),
        confirmed=(),
        primary=True,
        representative=(),
        **fields,
    ) -> Theme:
        number = next(_counter)
        fields.setdefault("stable_key", f"tema-{number}")
        fields.setdefault("keywords", ["parola", "chiave"])
        theme = _save(
            db,
            Theme(
                consultation_id=consultation.id,
                run_id=run.id,
                model_topic=number,
                label=label,
                size=len(members),
                **fields,
            ),
        )
        for member in members:
            db.add(
                ContributionTheme(
                    contribution_id=member.id,
                    theme_id=theme.id,
                    probability=0.8,
                    is_primary=primary,
                    is_representative=member.id in {r.id for r in representative},
                )
            )
        for objective, confidence in objectives:
            db.add(
                ObjectiveMapping(
                    theme_id=theme.id,
                    objective_id=objective and objective.id,
                    confidence=confidence,
                    source="model",
                    run_id=run.id,
                )
            )
        for objective in confirmed:
            db.add(
                ObjectiveMapping(
                    theme_id=theme.id,
                    objective_id=objective and objective.id,
                    confidence=1.0,
                    source="planner",
                    run_id=run.id,
                )
            )
        db.commit()
        return theme

    return factory


@pytest.fixture
def map_contribution(db: Session) -> Callable[..., ObjectiveMapping]:
    """Map one proposal onto an objective (None: fuori-strategia), by the model or a planner."""

    def factory(contribution, objective, confidence=0.9, source="model", run=None):
        return _save(
            db,
            ObjectiveMapping(
                contribution_id=contribution.id,
                objective_id=objective and objective.id,
                confidence=confidence,
                source=source,
                run_id=run.id if run else None,
            ),
        )

    return factory


@pytest.fixture
def objectives(db: Session, consultation: Consultation) -> dict[str, Objective]:
    """The test framework's objectives by code."""
    return {o.code: o for o in db.exec(select(Objective)).all()}


@pytest.fixture
def territories(db: Session, consultation: Consultation) -> dict[str, Territory]:
    """The test framework's territories by code (another framework may use the same codes)."""
    query = select(Territory).where(Territory.framework_id == consultation.framework_id)
    return {t.code: t for t in db.exec(query).all()}


@pytest.fixture
def create_response(db: Session, consultation: Consultation) -> Callable[..., Response]:
    """A response (published unless told otherwise) attached to one target."""

    def factory(text="La Regione ha inserito la proposta nel piano.", published=True, **fields):
        from consult.common.models import utcnow

        fields.setdefault("status", "accolta")
        return _save(
            db,
            Response(
                consultation_id=consultation.id,
                text=text,
                published_at=utcnow() if published else None,
                **fields,
            ),
        )

    return factory


@pytest.fixture
def meeting_staff(create_user, create_meeting, territories):
    """A meeting in Torino with its facilitator, plus one user of every other kind."""
    facilitator = create_user(role="facilitator")
    torino = territories["torino"]
    meeting = create_meeting(
        title="Incontro territoriale di Torino", territory_id=torino.id, facilitators=[facilitator]
    )
    return {
        "meeting": meeting,
        "facilitator": facilitator,
        "other_facilitator": create_user(role="facilitator"),
        "participant": create_user(role="participant"),
        "planner": create_user(role="planner"),
        "admin": create_user(role="admin"),
    }


@pytest.fixture
def create_current_theme(db: Session, consultation: Consultation) -> Callable[..., Theme]:
    """A theme of the consultation's current analysis run, with its member proposals."""

    def factory(label: str = "Centri diurni", members=(), stable_key: str | None = None) -> Theme:
        run = db.exec(
            select(AnalysisRun).where(
                AnalysisRun.consultation_id == consultation.id, AnalysisRun.is_current
            )
        ).first() or _save(
            db, AnalysisRun(consultation_id=consultation.id, status="succeeded", is_current=True)
        )
        theme = _save(
            db,
            Theme(
                consultation_id=consultation.id,
                run_id=run.id,
                stable_key=stable_key or f"theme-{next(_counter)}",
                model_topic=0,
                label=label,
                size=len(members),
            ),
        )
        for contribution in members:
            db.add(
                ContributionTheme(
                    contribution_id=contribution.id, theme_id=theme.id, is_primary=True
                )
            )
        db.commit()
        return theme

    return factory


@pytest.fixture
def create_live_session(db: Session, create_meeting) -> Callable[..., LiveSession]:
    """An open live session (pre-moderated unless told) on a new or given meeting."""

    def factory(meeting: Meeting | None = None, facilitators=(), **fields) -> LiveSession:
        meeting = meeting or create_meeting(facilitators=facilitators, status="open")
        fields.setdefault("code", f"T{next(_counter):05d}")
        return _save(db, LiveSession(meeting_id=meeting.id, **fields))

    return factory


# --- theme analysis ---------------------------------------------------------------------------

THEME_CORPUS = (
    "Servono più posti negli asili nido comunali per le famiglie con bambini piccoli, {place}.",
    "Gli affitti delle case popolari sono troppo alti e mancano alloggi sociali, {place}.",
    "Gli anziani soli hanno bisogno di assistenza domiciliare e centri diurni, {place}.",
)
CORPUS_PLACES = (
    "a Torino",
    "a Cuneo",
    "ad Asti",
    "a Novara",
    "a Biella",
    "ad Alba",
    "a Bra",
    "a Ivrea",
)


@pytest.fixture
def theme_corpus(db: Session, create_contribution) -> list[Contribution]:
    """24 published proposals on three clear subjects (nidi, casa, anziani) over four weeks."""
    from datetime import UTC, datetime, timedelta

    territories = db.exec(select(Territory).order_by(Territory.id)).all()
    start = datetime(2017, 10, 2, 10, tzinfo=UTC)
    contributions = []
    for i, place in enumerate(CORPUS_PLACES):
        for j, template in enumerate(THEME_CORPUS):
            contributions.append(
                create_contribution(
                    template.format(place=place),
                    channel=("online", "meeting", "paper")[j],
                    territory_id=territories[i % len(territories)].id,
                    participant_role=("cittadino", "operatore-sociale")[i % 2],
                    created_at=start + timedelta(days=3 * i + j),
                )
            )
    return contributions


@pytest.fixture
def create_theme_run(db: Session, consultation: Consultation):
    """A succeeded, current run with the given themes: {label: [contributions]}."""
    from consult.analysis.models import AnalysisRun, ContributionTheme, Theme
    from consult.analysis.summaries import summarise

    def factory(themes: dict[str, list[Contribution]], *, current: bool = True) -> AnalysisRun:
        if current:
            for old in db.exec(select(AnalysisRun).where(AnalysisRun.is_current)).all():
                old.is_current = False
                db.add(old)
        run = _save(
            db,
            AnalysisRun(
                consultation_id=consultation.id,
                status="succeeded",
                stage="done",
                progress=100,
                is_current=current,
                corpus_size=sum(len(m) for m in themes.values()),
            ),
        )
        for topic, (label, members) in enumerate(themes.items()):
            theme = _save(
                db,
                Theme(
                    consultation_id=consultation.id,
                    run_id=run.id,
                    stable_key=f"t-{run.id}-{topic}",
                    model_topic=topic,
                    label=label,
                    keywords=label.split(),
                    size=len(members),
                    summary=summarise([(c.id, c.text) for c in members]),
                ),
            )
            for rank, c in enumerate(members):
                db.add(
                    ContributionTheme(
                        contribution_id=c.id,
                        theme_id=theme.id,
                        probability=0.9,
                        is_primary=True,
                        is_representative=rank < 3,
                    )
                )
        db.commit()
        return run

    return factory
