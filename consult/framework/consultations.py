"""Finding the consultations a site presents."""

from sqlmodel import Session, col, select

from consult.framework.models import Consultation


def current(db: Session, slug: str) -> Consultation | None:
    """The configured consultation, else the first active one, else None."""
    consultation = by_slug(db, slug)
    if consultation is not None:
        return consultation
    return db.exec(
        select(Consultation).where(col(Consultation.is_active)).order_by(col(Consultation.id))
    ).first()


def by_slug(db: Session, slug: str) -> Consultation | None:
    return db.exec(select(Consultation).where(Consultation.slug == slug)).first()


def listed(db: Session) -> list[Consultation]:
    """Every consultation, open ones first, each group in the order they were created."""
    return list(
        db.exec(
            select(Consultation).order_by(col(Consultation.is_active).desc(), col(Consultation.id))
        )
    )


def by_id(db: Session, consultation_id: int) -> Consultation | None:
    return db.get(Consultation, consultation_id)
