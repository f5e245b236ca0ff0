"""One small world for the route-wide abuse suites: an app per test module, a sample of every kind
of object a URL can point at, a user per role, and a snapshot of the whole database.

Building a whole app per (route, role) would cost ~0.1 s each; here a module shares one app and
every case starts from an emptied database with a fresh sample (a few milliseconds).
"""

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, url_for
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import Session, SQLModel

from consult import create_app
from consult.accountability.models import Response
from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.analysis.models import AnalysisRun, Theme
from consult.common import upload_store
from consult.common.tokens import new_tracking_token
from consult.coplanning import inputs, versions
from consult.framework.models import Consultation, Framework, Objective, Territory
from consult.live.models import LivePoll, PriorityRound
from consult.meetings.models import LiveSession, Meeting, MeetingFacilitator, WorkingGroup
from consult.notifications import tokens as notification_tokens
from consult.proposals.models import Comment, Contribution
from tests.conftest import TEST_DATABASE_URL
from tests.consultation_client import ConsultationClient
from tests.factories import _TEST_HASH

# "other_facilitator" is a facilitator who does NOT run the sample meeting.
ROLES = (
    "anonymous",
    "participant",
    "moderator",
    "other_facilitator",
    "facilitator",
    "planner",
    "admin",
)
IMPORT_CSV = "Testo\r\nServono più posti nei centri diurni per anziani.\r\n".encode()


def make_app(tmp_path, **config) -> Flask:
    """The test configuration of tests/conftest.py, for an app shared by one test module."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": TEST_DATABASE_URL,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "CONSULT_MODEL_DIR": str(tmp_path / "models"),
            "IMPORT_FOLDER": str(tmp_path / "imports"),
            "MINUTES_FOLDER": str(tmp_path / "minutes"),
            "SERVER_NAME": "localhost",
            "CONSULT_EMBEDDINGS": "lsa",
            "ANALYSIS_EXECUTOR": "inline",
            "ANALYSIS_HEARTBEAT_SECONDS": 0,
            **config,
        }
    )
    app.test_client_class = ConsultationClient
    if TEST_DATABASE_URL.startswith("sqlite"):
        SQLModel.metadata.create_all(app.extensions["consult.engine"])
    return app


def empty_database(app: Flask) -> None:
    """DELETE, not TRUNCATE: on a handful of rows it is several times faster on PostgreSQL."""
    with app.extensions["consult.engine"].begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


def snapshot(app: Flask) -> dict[str, list]:
    """Every row of every table, to prove a refused request wrote nothing."""
    with app.extensions["consult.engine"].connect() as connection:
        return {
            table.name: sorted(map(repr, connection.execute(table.select()).all()))
            for table in SQLModel.metadata.sorted_tables
        }


@dataclass
class World:
    """The sample's ids and tokens, keyed by URL parameter name, and a user id per role."""

    params: dict
    users: dict[str, User]


def _minutes_on_disk(app: Flask) -> str:
    """A minutes file that exists, so the matrix checks who may download a real file."""
    folder = Path(app.config["MINUTES_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "verbale-matrice.pdf").write_bytes(b"%PDF-1.4 verbale di prova")
    return "verbale-matrice.pdf"


def build_world(app: Flask) -> World:
    """An open meeting run by one facilitator, its live session with a pending item, a published
    proposal with a comment, a theme of the current run, a draft response, a kept upload, and a
    strategy: version 1 in consultation with an amendment and a meeting's comment, version 2
    drafted."""
    empty_database(app)
    with Session(app.extensions["consult.engine"], expire_on_commit=False) as db:
        users = _users(db)
        consultation, objective = _consultation(db)
        meeting = Meeting(consultation_id=consultation.id, title="Incontro", status="open")
        meeting.minutes_file = _minutes_on_disk(app)
        db.add(meeting)
        db.flush()
        db.add(MeetingFacilitator(meeting_id=meeting.id, user_id=users["facilitator"].id))
        live = LiveSession(meeting_id=meeting.id, code="AUTH23")
        db.add(live)
        db.flush()
        published = _contribution(db, consultation, status="published")
        pending = _contribution(
            db, consultation, live_session_id=live.id, meeting_id=meeting.id, channel="live"
        )
        open_round = PriorityRound(live_session_id=live.id, method="points", points=10)
        closed_round = PriorityRound(
            live_session_id=live.id,
            method="top3",
            points=6,
            status="closed",
            result={"method": "top3", "points": 6, "voters": 0, "rows": []},
        )
        open_poll = LivePoll(
            live_session_id=live.id, kind="single", question="Sì?", options=["Sì", "No"]
        )
        closed_poll = LivePoll(
            live_session_id=live.id,
            kind="words",
            question="Una parola?",
            status="closed",
            result={
                "kind": "words",
                "question": "Una parola?",
                "voters": 0,
                "options": [],
                "words": [],
            },
        )
        group = WorkingGroup(live_session_id=live.id, name="Gruppo casa")
        db.add_all([open_round, closed_round, open_poll, closed_poll, group])
        db.flush()
        entered = _contribution(
            db,
            consultation,
            meeting_id=meeting.id,
            channel="meeting",
            status="published",
            provenance={"source": "fast-entry", "entered_by": users["facilitator"].id},
        )
        comment = Comment(contribution_id=published.id, text="Sono d'accordo, servono davvero.")
        run = AnalysisRun(consultation_id=consultation.id, status="succeeded", is_current=True)
        db.add_all([comment, run])
        db.flush()
        theme = Theme(
            consultation_id=consultation.id,
            run_id=run.id,
            stable_key="tema-nidi",
            model_topic=0,
            label="Nidi",
            keywords=["nidi"],
            size=1,
        )
        response = Response(
            consultation_id=consultation.id, objective_id=objective.id, text="Risposta in bozza."
        )
        db.add_all([theme, response])
        strategy = _strategy(db, consultation, meeting)
        db.commit()
        params = {
            **strategy,
            "meeting_id": meeting.id,
            "session_id": live.id,
            "code": live.code,
            "contribution_id": published.id,
            "live_item": pending.id,
            "open_round": open_round.id,
            "closed_round": closed_round.id,
            "open_poll": open_poll.id,
            "closed_poll": closed_poll.id,
            "group_id": group.id,
            "entered_item": entered.id,
            "comment_id": comment.id,
            "token": published.tracking_token,
            "import_token": _kept_upload(app, meeting.id, users["facilitator"].id),
            "reset_token": accounts.make_reset_token("test-secret", users["target"]),
            "verify_token": accounts.make_verification_token("test-secret", users["target"]),
            "stable_key": theme.stable_key,
            "run_id": run.id,
            "response_id": response.id,
            "user_id": users["target"].id,
            "objective_code": objective.code,
            "consultation_slug": consultation.slug,
            "follow_kind": "objective",
            "target_id": objective.id,
            "unsubscribe_token": notification_tokens.make("test-secret", "unsubscribe", "a@b.it"),
            "manage_token": notification_tokens.make("test-secret", "manage", "a@b.it"),
            "confirm_token": notification_tokens.make("test-secret", "confirm", "a@b.it", 10**6),
            "extension": "csv",
            "kind": "svg",
            "fmt": "csv",
            "action": "approva",
        }
    return World(params=params, users=users)


def _strategy(db: Session, consultation: Consultation, meeting: Meeting) -> dict:
    """Version 1 in consultation (amended, commented by the meeting) and the draft of version 2."""
    first = versions.start_draft(db, consultation, actor_id=None)
    versions.publish(db, first, note="", approve=False, actor_id=None)
    section = versions.sections(db, first.id or 0)[0]
    amendment = inputs.propose_amendment(
        db, section, text="Un testo nuovo per la premessa.", author_id=None
    )
    inputs.record_meeting_comment(
        db, section, meeting, text="L'incontro chiede una premessa più breve.", actor_id=None
    )
    draft = versions.start_draft(db, consultation, actor_id=None)
    return {
        "number": first.number,
        "published_id": first.id,
        "section_id": section.id,
        "amendment_id": amendment.id,
        "amendment_token": amendment.tracking_token,
        "version_id": draft.id,
        "draft_section": versions.sections(db, draft.id or 0)[0].id,
    }


def _users(db: Session) -> dict[str, User]:
    roles = {
        "participant": "participant",
        "moderator": "moderator",
        "other_facilitator": "facilitator",
        "facilitator": "facilitator",
        "planner": "planner",
        "admin": "admin",
        "target": "participant",  # the account the user-administration routes act on
    }
    users = {
        name: User(email=f"{name}@example.org", role=role, password_hash=_TEST_HASH)
        for name, role in roles.items()
    }
    db.add_all(users.values())
    db.flush()
    return users


def _consultation(db: Session) -> tuple[Consultation, Objective]:
    framework = Framework(code="piemonte-2018", title="Strategia di prova")
    db.add(framework)
    db.flush()
    objective = Objective(
        framework_id=framework.id,
        code="isee",
        kind="cross-cutting",
        title="Regolamento ISEE",
        description="Descrizione",
        position=0,
        keywords=["isee"],
    )
    consultation = Consultation(
        slug="piemonte-2018", title="Consultazione di prova", framework_id=framework.id
    )
    torino = Territory(framework_id=framework.id, code="torino", name="Torino", kind="province")
    db.add_all([objective, consultation, torino])
    db.flush()
    return consultation, objective


def _contribution(db: Session, consultation: Consultation, **fields) -> Contribution:
    fields.setdefault("status", "pending")
    item = Contribution(
        consultation_id=consultation.id,
        text="Servono più posti nei centri diurni per anziani.",
        tracking_token=new_tracking_token(),
        **fields,
    )
    db.add(item)
    db.flush()
    return item


def _kept_upload(app: Flask, meeting_id: int, user_id: int) -> str:
    from pathlib import Path

    folder = Path(app.config["IMPORT_FOLDER"])
    return upload_store.save(
        folder, IMPORT_CSV, filename="a.csv", meeting_id=meeting_id, user_id=user_id
    ).token


def log_in(client: FlaskClient, user: User) -> None:
    """Log in by cookie, as Flask-Login would after a successful form (no password hashing)."""
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_version}"
        session["_fresh"] = True


def csrf_token_for(app: Flask, client: FlaskClient, raw: str = "a" * 40) -> str:
    """Put a raw CSRF token in the client's session and return it signed as Flask-WTF would."""
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def client_as(app: Flask, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        log_in(client, world.users[role])
    return client


def routes(app: Flask) -> list[tuple[str, str]]:
    """Every (method, endpoint) the application answers, static files aside."""
    return sorted(
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def route_url(app: Flask, endpoint: str, params: dict, overrides: dict | None = None) -> str:
    """The URL of `endpoint` with its parameters taken from the sample (renamed by `overrides`)."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    overrides = overrides or {}
    values = {name: params[overrides.get(name, name)] for name in rule.arguments}
    with app.test_request_context():
        return url_for(endpoint, **values)
