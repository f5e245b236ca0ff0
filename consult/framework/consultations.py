"""Finding the consultations a site presents."""

from sqlmodel import Session, col, select

from consult.framework.models import DEFAULT_CONSULTATION, Consultation, SiteSetting


def current(db: Session, slug: str) -> Consultation | None:
    """The site's default consultation: the one an administrator chose (stored), else the
    configured `slug` (``CONSULT_CONSULTATION``, the initial value), else the first active one,
    else None."""
    chosen = stored_default_slug(db)
    consultation = by_slug(db, chosen) if chosen else None
    if consultation is not None:
        return consultation
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


def stored_default_slug(db: Session) -> str | None:
    """The slug of the default consultation an administrator chose, or None."""
    setting = db.get(SiteSetting, DEFAULT_CONSULTATION)
    return setting.value if setting is not None and setting.value else None
