"""Factory fixtures: small callables that build and commit one object with sensible defaults."""

import itertools
from collections.abc import Callable

import pytest
from sqlmodel import Session, select
from werkzeug.security import generate_password_hash

from consult.models import (
    Consultation,
    Contribution,
    Framework,
    LiveSession,
    Meeting,
    MeetingFacilitator,
    Objective,
    Territory,
    User,
)
from consult.services.tokens import new_tracking_token

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
        db.add(Territory(code="torino", name="Torino", kind="province"))
        db.add(Territory(code="cuneo", name="Cuneo", kind="province"))
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
def create_live_session(db: Session, create_meeting) -> Callable[..., LiveSession]:
    """An open live session (pre-moderated unless told) on a new or given meeting."""

    def factory(meeting: Meeting | None = None, facilitators=(), **fields) -> LiveSession:
        meeting = meeting or create_meeting(facilitators=facilitators, status="open")
        fields.setdefault("code", f"T{next(_counter):05d}")
        return _save(db, LiveSession(meeting_id=meeting.id, **fields))

    return factory
