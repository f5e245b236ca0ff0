"""What people say about a version in consultation: amendments, meeting comments, decisions."""

import re
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from consult.common import audit
from consult.common.models import utcnow
from consult.common.tokens import new_tracking_token
from consult.coplanning import versions
from consult.coplanning.models import Amendment, MeetingComment, StrategySection, StrategyVersion
from consult.framework.models import Consultation
from consult.meetings.models import Meeting
from consult.proposals.models import Contribution
from consult.proposals.search import ProposalFilters, search

ACCEPTED = ("accolto", "accolto-con-modifiche")
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class InputsClosed(Exception):
    """Only a version in consultation takes amendments and meeting comments."""


class AlreadyDecided(Exception):
    """An amendment is decided once."""


class NoMatchingSection(Exception):
    """The draft no longer has the section the amendment is about."""


def _ensure_open(db: Session, section: StrategySection) -> None:
    if versions.section_version(db, section).status != "in-consultazione":
        raise InputsClosed(section.id)


def propose_amendment(
    db: Session,
    section: StrategySection,
    *,
    text: str,
    author_id: int | None,
    author_name: str = "",
    author_email: str = "",
    idempotency_key: str | None = None,
) -> Amendment:
    """A participant's replacement text for a section of the version in consultation.

    A retry (double tap, reload) with the same key and text gets the same amendment back; the
    same key with another text is a form reused after going back, and makes a new amendment.
    """
    _ensure_open(db, section)
    assert section.id is not None
    if idempotency_key:
        existing = db.exec(
            select(Amendment).where(Amendment.idempotency_key == idempotency_key)
        ).first()
        if existing is not None and (existing.section_id, existing.text) == (section.id, text):
            return existing
        if existing is not None:
            idempotency_key = None
    amendment = Amendment(
        section_id=section.id,
        text=text,
        author_id=author_id,
        author_name=author_name if author_id is None else "",
        author_email=author_email if author_id is None else "",
        tracking_token=new_tracking_token(),
        idempotency_key=idempotency_key,
    )
    try:
        with db.begin_nested():  # a savepoint: a lost race undoes this row only
            db.add(amendment)
    except IntegrityError:
        winner = db.exec(
            select(Amendment).where(Amendment.idempotency_key == idempotency_key)
        ).first()
        if winner is None:
            raise
        return winner
    audit.record(
        db,
        actor_id=author_id,
        action="strategy.amendment.propose",
        entity_type="amendment",
        entity_id=amendment.id or 0,
        after={"section_id": section.id},
    )
    return amendment


def record_meeting_comment(
    db: Session, section: StrategySection, meeting: Meeting, *, text: str, actor_id: int | None
) -> MeetingComment:
    """What a meeting said about a section (the caller checked the user runs the meeting)."""
    _ensure_open(db, section)
    assert section.id is not None and meeting.id is not None
    comment = MeetingComment(
        section_id=section.id, meeting_id=meeting.id, text=text, author_id=actor_id
    )
    db.add(comment)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="strategy.meeting_comment.record",
        entity_type="strategy_meeting_comment",
        entity_id=comment.id or 0,
        after={"section_id": section.id, "meeting_id": meeting.id},
    )
    return comment


def amendment_by_id(db: Session, amendment_id: int) -> Amendment | None:
    return db.get(Amendment, amendment_id)


def amendment_by_token(db: Session, token: str) -> Amendment | None:
    """The amendment a private tracking link points at (None for anything but a token)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    return db.exec(select(Amendment).where(Amendment.tracking_token == token)).first()


def decide(
    db: Session,
    amendment: Amendment,
    consultation: Consultation,
    *,
    outcome: str,
    actor_id: int | None,
    text: str = "",
    reason: str = "",
) -> Amendment:
    """Accept (as proposed or with the planner's changes) into the draft, or decline with a
    reason. An accepted text replaces the section in the draft, which records the amendment."""
    if amendment.status != "in-valutazione":
        raise AlreadyDecided(amendment.id)
    if outcome == "non-accolto" and not reason.strip():
        raise ValueError("a declined amendment needs a reason")
    if outcome not in ("non-accolto", *ACCEPTED):
        raise ValueError(outcome)
    before = {"status": amendment.status}
    if outcome in ACCEPTED:
        _take_up(
            db, amendment, consultation, text if outcome != "accolto" else amendment.text, actor_id
        )
    amendment.status = outcome
    amendment.decision_reason = reason
    amendment.decided_by_id = actor_id
    amendment.decided_at = utcnow()
    db.add(amendment)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="strategy.amendment.decide",
        entity_type="amendment",
        entity_id=amendment.id or 0,
        before=before,
        after={"status": outcome, "reason": reason, "text": text},
    )
    return amendment


def _take_up(
    db: Session, amendment: Amendment, consultation: Consultation, text: str, actor_id: int | None
) -> None:
    base = versions.section_by_id(db, amendment.section_id)
    assert base is not None  # a foreign key
    draft = versions.start_draft(db, consultation, actor_id=actor_id)
    target = next((s for s in versions.sections(db, draft.id or 0) if s.key == base.key), None)
    if target is None:
        raise NoMatchingSection(base.key)
    target.body = text
    db.add(target)
    kept = versions.provenance_of(db, target.id or 0)
    versions.set_provenance(
        db,
        target,
        versions.Provenance(
            amendment_ids=(*kept.amendment_ids, amendment.id or 0),
            meeting_comment_ids=kept.meeting_comment_ids,
            contribution_ids=kept.contribution_ids,
        ),
    )


@dataclass
class SectionInputs:
    """Everything said about one section, for the planner's review and the public pages."""

    section: StrategySection
    amendments: list[Amendment] = field(default_factory=list)
    comments: list[MeetingComment] = field(default_factory=list)

    @property
    def pending(self) -> list[Amendment]:
        return [a for a in self.amendments if a.status == "in-valutazione"]

    @property
    def decided(self) -> list[Amendment]:
        return [a for a in self.amendments if a.status != "in-valutazione"]


def inputs_by_section(db: Session, version: StrategyVersion) -> list[SectionInputs]:
    """The version's sections, each with its amendments and meeting comments, oldest first."""
    found = [SectionInputs(section=s) for s in versions.sections(db, version.id or 0)]
    by_id = {item.section.id: item for item in found}
    if not by_id:
        return found
    amendments = db.exec(
        select(Amendment)
        .where(col(Amendment.section_id).in_(by_id))
        .order_by(col(Amendment.created_at), col(Amendment.id))
    ).all()
    for amendment in amendments:
        by_id[amendment.section_id].amendments.append(amendment)
    comments = db.exec(
        select(MeetingComment)
        .where(col(MeetingComment.section_id).in_(by_id))
        .order_by(col(MeetingComment.created_at), col(MeetingComment.id))
    ).all()
    for comment in comments:
        by_id[comment.section_id].comments.append(comment)
    return found


def inputs_for_key(db: Session, version: StrategyVersion, key: str) -> SectionInputs | None:
    """What was said on the section named `key` of `version`."""
    return next((i for i in inputs_by_section(db, version) if i.section.key == key), None)


def meeting_titles(db: Session, meeting_ids: set[int]) -> dict[int, str]:
    if not meeting_ids:
        return {}
    rows = db.exec(select(Meeting).where(col(Meeting.id).in_(meeting_ids))).all()
    return {m.id: m.title for m in rows if m.id is not None}


def unknown_proposals(db: Session, consultation_id: int, numbers: list[int]) -> list[int]:
    """The numbers among `numbers` that are no proposal of this consultation."""
    if not numbers:
        return []
    found = db.exec(
        select(Contribution.id).where(
            col(Contribution.id).in_(numbers), Contribution.consultation_id == consultation_id
        )
    ).all()
    return [n for n in numbers if n not in set(found)]


def related_proposals(
    db: Session, consultation: Consultation, key: str, *, limit: int = 20
) -> list[Contribution]:
    """Published proposals about the objective a section is named after, most supported first
    (the proposals list's own rule: suggested by the author, or mapped directly or by theme)."""
    filters = ProposalFilters(objective=key, sort="sostenute")
    return search(db, consultation, filters, page=1, per_page=limit).items
