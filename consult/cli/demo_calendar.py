"""The demo's calendar, relative to the day it is loaded: a consultation open today.

The 2017 tour is replayed over the past weeks (9 territorial meetings, 408 interlocutori,
1,117.9 km, the figures of the Region's note of 11 April 2018), one laboratory meets today with
an open live session, and two more are planned, so every meeting status shows somewhere.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from consult.accounts.models import User
from consult.analysis.rows import stored_id
from consult.framework import services as framework
from consult.framework.models import Consultation
from consult.meetings.models import Meeting, MeetingFacilitator


@dataclass(frozen=True)
class DemoMeeting:
    title: str
    territory: str
    place: str
    days_from_today: int
    km: float | None = None
    attendance: int | None = None
    organisations: str = ""


# The tour: one meeting in every province, two in the metropolitan city of Turin.
TOUR = (
    DemoMeeting(
        "Incontro territoriale di Torino",
        "torino-citta",
        "Torino, Campus Luigi Einaudi",
        -49,
        0.0,
        62,
        "Città di Torino, ASL Città di Torino, Ufficio Pio, Caritas diocesana",
    ),
    DemoMeeting(
        "Incontro territoriale di Cuneo",
        "cuneo",
        "Cuneo, Sala consiliare",
        -44,
        172.4,
        48,
        "Consorzio socio-assistenziale del Cuneese, ASL CN1, ATC Piemonte Sud",
    ),
    DemoMeeting(
        "Incontro territoriale di Alessandria",
        "alessandria",
        "Alessandria, Palazzo Ghilini",
        -39,
        176.0,
        45,
        "CISSACA, ASL AL, Centro per l'impiego di Alessandria, CSV Asti e Alessandria",
    ),
    DemoMeeting(
        "Incontro territoriale di Novara",
        "novara",
        "Novara, Broletto",
        -34,
        190.0,
        44,
        "Comune di Novara, Consorzio CISA Ovest Ticino, ASL NO",
    ),
    DemoMeeting(
        "Incontro territoriale del Verbano-Cusio-Ossola",
        "verbano-cusio-ossola",
        "Verbania, Villa Giulia",
        -33,
        144.4,
        37,
        "Consorzio dei Servizi Sociali del VCO, ASL VCO, Unione montana Valle Ossola",
    ),
    DemoMeeting(
        "Incontro territoriale di Vercelli",
        "vercelli",
        "Vercelli, Salone Dugentesco",
        -27,
        150.2,
        41,
        "Comune di Vercelli, ASL VC, Cooperativa sociale Il Giardino",
    ),
    DemoMeeting(
        "Incontro territoriale di Biella",
        "biella",
        "Biella, Palazzo Oropa",
        -26,
        148.5,
        39,
        "Consorzio IRIS, ASL BI, Fondazione Cassa di Risparmio di Biella",
    ),
    DemoMeeting(
        "Incontro territoriale di Asti",
        "asti",
        "Asti, Palazzo del Collegio",
        -19,
        111.8,
        46,
        "COGESA, ASL AT, Comune di Asti, Croce Rossa comitato di Asti",
    ),
    DemoMeeting(
        "Incontro territoriale di Torino Nord-Ovest",
        "torino-nord-ovest",
        "Collegno, Villa Comunale",
        -12,
        24.6,
        46,
        "CISAP Collegno-Grugliasco, ASL TO3, Centro per l'impiego di Rivoli",
    ),
)
TODAY = DemoMeeting(
    "Laboratorio di comunità di Torino", "torino-citta", "Torino, Campus Luigi Einaudi", 0
)
PLANNED = (
    DemoMeeting("Laboratorio di comunità di Cuneo", "cuneo", "Cuneo, Sala consiliare", 8),
    DemoMeeting(
        "Laboratorio di comunità di Alessandria", "alessandria", "Alessandria, Palazzo Ghilini", 15
    ),
)
AGENDA = "Presentazione della strategia; lavoro in gruppi per asse; restituzione."
MINUTES = (
    "Presentata la bozza della strategia. I gruppi per asse hanno discusso le priorità del "
    "territorio; le proposte raccolte sono state inserite nella piattaforma e sono consultabili."
)
# Phases of the consultation by position (as in the framework file), in days from today:
# the plenary, the territorial meetings (under way), the approval and the answers.
PHASE_DAYS = ((-56, -56), (-50, 20), (21, 120))


def schedule_phases(db: Session, consultation: Consultation, today: date) -> None:
    """Date the framework's phases around today, keeping their names and descriptions."""
    for phase in framework.phases(db, stored_id(consultation)):
        if phase.position < len(PHASE_DAYS):
            start, end = PHASE_DAYS[phase.position]
            phase.starts_on = today + timedelta(days=start)
            phase.ends_on = today + timedelta(days=end)
            db.add(phase)
    db.flush()


def ensure_meetings(
    db: Session, consultation: Consultation, *, facilitator: User, today: date
) -> list[Meeting]:
    """The tour (closed, with attendance and minutes), today's laboratory (open), the planned."""
    meetings = []
    for spec in TOUR:
        meetings.append(_ensure(db, consultation, spec, "closed", facilitator, today))
    meetings.append(_ensure(db, consultation, TODAY, "open", facilitator, today))
    meetings += [_ensure(db, consultation, s, "planned", facilitator, today) for s in PLANNED]
    db.flush()
    return meetings


def _ensure(
    db: Session,
    consultation: Consultation,
    spec: DemoMeeting,
    status: str,
    facilitator: User,
    today: date,
) -> Meeting:
    meeting = db.exec(select(Meeting).where(Meeting.title == spec.title)).first()
    if meeting is not None:
        return meeting
    territory = framework.territory_by_code(db, consultation.framework_id, spec.territory)
    if territory is None:  # the demo's framework lists every place its calendar names
        raise LookupError(f"no territory {spec.territory!r} in the demo's framework")
    starts_at = datetime.combine(today + timedelta(days=spec.days_from_today), time(9, 30), UTC)
    closed = status == "closed"
    meeting = Meeting(
        consultation_id=stored_id(consultation),
        title=spec.title,
        territory_id=territory.id,
        place=spec.place,
        starts_at=starts_at,
        agenda=AGENDA,
        status=status,
        km_travelled=spec.km,
        attendance=spec.attendance if closed else None,
        organisations=spec.organisations if closed else "",
        minutes=MINUTES if closed else "",
        closed_at=starts_at + timedelta(hours=4) if closed else None,
    )
    db.add(meeting)
    db.flush()
    db.add(MeetingFacilitator(meeting_id=stored_id(meeting), user_id=stored_id(facilitator)))
    return meeting
