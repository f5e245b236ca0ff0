"""Finding the consultation a request is about."""

from sqlmodel import Session, col, select

from consult.framework.models import Consultation


def current(db: Session, slug: str) -> Consultation | None:
    """The configured consultation, else the only active one, else None."""
    consultation = db.exec(select(Consultation).where(Consultation.slug == slug)).first()
    if consultation is not None:
        return consultation
    return db.exec(
        select(Consultation).where(col(Consultation.is_active)).order_by(col(Consultation.id))
    ).first()
