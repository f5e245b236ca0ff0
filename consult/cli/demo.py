"""Demo data: the Piedmont framework, one account per role, meetings and proposals."""

import csv
import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path

from sqlmodel import Session, col, select
from werkzeug.security import generate_password_hash

from consult.accounts.models import User
from consult.analysis.rows import stored_id
from consult.cli import demo_calendar as calendar
from consult.cli import demo_strategy as strategy
from consult.common.models import utcnow
from consult.framework import loader as frameworks
from consult.framework.models import Consultation, Objective, Territory
from consult.live import services as live_sessions
from consult.meetings.models import LiveSession, Meeting
from consult.proposals import services as proposals
from consult.proposals.models import PARTICIPANT_ROLES, Contribution

DEMO_PASSWORD = "consult-demo"
DEMO_ACCOUNTS = (
    ("admin@example.org", "admin", "Amministratrice demo"),
    ("facilitatore@example.org", "facilitator", "Facilitatore demo"),
    ("pianificatore@example.org", "planner", "Pianificatrice demo"),
    ("moderatore@example.org", "moderator", "Moderatrice demo"),
    ("partecipante@example.org", "participant", "Partecipante demo"),
)
DEMO_LIVE_CODE = "DEMA42"
DEMO_LIVE_PROPOSALS = (
    "Servirebbe uno sportello unico per la casa nei comuni piccoli, non solo a Torino.",
    "Più educativa di strada nei quartieri periferici, anche la sera e nel fine settimana.",
    "I contributi per l'affitto arrivano troppo tardi: le famiglie intanto ricevono lo sfratto.",
    "Coinvolgere le associazioni di volontariato nella progettazione, non solo nell'attuazione.",
    "Un trasporto a chiamata per gli anziani delle valli che devono raggiungere i servizi.",
    "Formazione comune per assistenti sociali e operatori dei centri per l'impiego.",
)
CHANNEL_WEIGHTS = {"online": 5, "live": 2, "meeting": 2, "paper": 1}


@dataclass
class DemoReport:
    accounts: list[tuple[str, str]] = field(default_factory=list)
    contributions_added: int = 0
    contributions_total: int = 0
    meetings: int = 0
    live_code: str | None = None


# The demo's privacy notice: plausible values, marked as examples on the page (privacy_example).
EXAMPLE_PRIVACY = {
    "privacy_controller": "Regione Piemonte, Direzione Sanità e Welfare, piazza Castello 165, "
    "10122 Torino (esempio)",
    "privacy_dpo": "dpo@esempio.regione.piemonte.it (esempio)",
    "privacy_purposes": "Raccogliere, analizzare e restituire le proposte della consultazione "
    "sulla strategia di welfare (esempio).",
    "privacy_legal_basis": "Esecuzione di un compito di interesse pubblico, art. 6, par. 1, "
    "lett. e) GDPR (esempio).",
    "privacy_retention": "Nome ed e-mail fino alla chiusura della restituzione; le proposte "
    "restano pubblicate come dati aperti (esempio).",
    "privacy_recipients": "Il fornitore della piattaforma, nominato responsabile del "
    "trattamento (esempio).",
}


def _example_privacy_notice(db: Session, consultation: Consultation) -> None:
    """Fill the privacy notice with example values, unless an administrator wrote one."""
    if consultation.privacy_controller and not consultation.privacy_example:
        return
    for name, value in EXAMPLE_PRIVACY.items():
        setattr(consultation, name, value)
    consultation.privacy_example = True
    db.add(consultation)


def default_data_path() -> Path:
    """The 304 development proposals shipped with consult (a copy of shared/data's file)."""
    return Path(__file__).resolve().parent / "demo_data" / "proposte_sviluppo_it.csv"


def load_demo(db: Session, *, csv_path: Path) -> DemoReport:
    """Load everything the demo shows; running it twice adds nothing new."""
    frameworks.load(db, frameworks.bundled_path("piemonte-2018"))
    consultation = db.exec(select(Consultation).where(Consultation.slug == "piemonte-2018")).one()
    report = DemoReport()
    users = _ensure_accounts(db, report)
    today = utcnow().date()
    calendar.schedule_phases(db, consultation, today)
    _example_privacy_notice(db, consultation)
    meetings = calendar.ensure_meetings(
        db, consultation, facilitator=users["facilitator"], today=today
    )
    report.meetings = len(meetings)
    held = [m for m in meetings if m.status == "closed"]
    report.contributions_added = _load_proposals(db, consultation, held, csv_path)
    today_meeting = next(m for m in meetings if m.status == "open")
    report.live_code = _ensure_live_session(db, today_meeting, facilitator=users["facilitator"])
    strategy.ensure_strategy(
        db, consultation, planner=users["planner"], participant=users["participant"]
    )
    report.contributions_total = len(
        db.exec(
            select(Contribution.id).where(Contribution.consultation_id == consultation.id)
        ).all()
    )
    return report


def _ensure_accounts(db: Session, report: DemoReport) -> dict[str, User]:
    users = {}
    for email, role, name in DEMO_ACCOUNTS:
        user = db.exec(select(User).where(User.email == email)).first()
        if user is None:
            user = User(
                email=email,
                role=role,
                display_name=name,
                password_hash=generate_password_hash(DEMO_PASSWORD),
                email_verified_at=utcnow(),  # demo addresses are ours: nothing to confirm
            )
            db.add(user)
        users[role] = user
        report.accounts.append((email, role))
    db.flush()
    return users


def _load_proposals(
    db: Session, consultation: Consultation, meetings: list[Meeting], csv_path: Path
) -> int:
    """Spread the CSV's proposals over provinces, channels and the meetings held, dated
    between the plenary and today (a meeting's proposals on its day), deterministically."""
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    provinces = db.exec(
        select(Territory)
        .where(Territory.framework_id == consultation.framework_id, Territory.kind == "province")
        .order_by(col(Territory.code))
    ).all()
    objectives = {
        o.code: o
        for o in db.exec(
            select(Objective).where(Objective.framework_id == consultation.framework_id)
        )
    }
    existing = set(
        db.exec(
            select(Contribution.idempotency_key).where(
                Contribution.consultation_id == consultation.id
            )
        ).all()
    )
    rng = random.Random(2018)
    channels = [c for c, weight in CHANNEL_WEIGHTS.items() for _ in range(weight)]
    now, added = utcnow(), 0
    for row in rows:
        key = "demo-" + hashlib.sha256(row["id"].encode()).hexdigest()[:24]
        channel = rng.choice(channels)
        territory = rng.choice(provinces)
        meeting = rng.choice(meetings) if channel in {"live", "meeting", "paper"} else None
        role = rng.choice(PARTICIPANT_ROLES)
        suggested = objectives.get(row["objective"]) if rng.random() < 0.3 else None
        created = now - timedelta(days=rng.randint(0, 55), minutes=rng.randint(0, 1440))
        if meeting is not None and meeting.starts_at is not None:
            # (from the row's key, not the generator: the draws above stay those of before)
            created = meeting.starts_at.replace(tzinfo=UTC) + timedelta(
                minutes=20 + int(key[-4:], 16) % 200
            )
        if key in existing:
            continue
        draft = proposals.Draft(
            consultation_id=stored_id(consultation),
            text=row["text"].strip(),
            channel=channel,
            territory_id=meeting.territory_id if meeting else territory.id,
            meeting_id=meeting.id if meeting else None,
            participant_role=role,
            suggested_objective_id=suggested.id if suggested else None,
            idempotency_key=key,
            provenance={"source": "demo", "file": csv_path.name, "row": row["id"]},
            created_at=created,
            published_at=created,
        )
        proposals.create(db, draft, actor_id=None)
        added += 1
    db.flush()
    return added


def _ensure_live_session(db: Session, meeting: Meeting, *, facilitator: User) -> str:
    """An open live session with the code DEMA42 and a few proposals waiting for moderation."""
    live = db.exec(select(LiveSession).where(LiveSession.code == DEMO_LIVE_CODE)).first()
    if live is None:
        live = live_sessions.open_session(
            db, meeting, actor_id=stored_id(facilitator), groups_per_axis=True, code=DEMO_LIVE_CODE
        )
    proposals = DEMO_LIVE_PROPOSALS if live.status == "open" else ()
    for index, text in enumerate(proposals):
        live_sessions.submit(
            db,
            live,
            live_sessions.LiveProposal(
                text=text,
                territory_id=None,
                participant_role=PARTICIPANT_ROLES[index % len(PARTICIPANT_ROLES)],
                working_group_id=None,
                idempotency_key=f"demo-live-{index}",
            ),
        )
    db.flush()
    return live.code
