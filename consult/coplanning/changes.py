"""What changed between two versions, section by section, and which inputs motivated it."""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from consult.coplanning import versions
from consult.coplanning.diff import Segment, word_diff
from consult.coplanning.models import (
    Amendment,
    MeetingComment,
    SectionInput,
    StrategySection,
    StrategyVersion,
)
from consult.meetings.models import Meeting
from consult.proposals.models import Contribution


@dataclass(frozen=True)
class CitedInput:
    """One input a section took up; `public` says whether its own page may be linked."""

    kind: str  # "amendment", "meeting-comment" or "proposal"
    id: int
    text: str
    label: str = ""  # the amendment's outcome or the meeting's title
    public: bool = True


@dataclass
class SectionChange:
    key: str
    title: str
    before: StrategySection | None
    after: StrategySection | None
    segments: list[Segment] = field(default_factory=list)
    inputs: list[CitedInput] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(s.op != "equal" for s in self.segments) or self.title_changed

    @property
    def title_changed(self) -> bool:
        return bool(self.before and self.after and self.before.title != self.after.title)


def compare(db: Session, base: StrategyVersion | None, new: StrategyVersion) -> list[SectionChange]:
    """Every section of `new` (and those it dropped) with its word diff from `base`."""
    old = {s.key: s for s in versions.sections(db, base.id or 0)} if base else {}
    current = versions.sections(db, new.id or 0)
    cited = cited_inputs(db, [s.id for s in current if s.id is not None])
    found = [
        SectionChange(
            key=s.key,
            title=s.title,
            before=old.get(s.key),
            after=s,
            segments=word_diff(old[s.key].body if s.key in old else "", s.body),
            inputs=cited.get(s.id or 0, []),
        )
        for s in current
    ]
    kept = {s.key for s in current}
    found += [
        SectionChange(key=k, title=s.title, before=s, after=None, segments=word_diff(s.body, ""))
        for k, s in old.items()
        if k not in kept
    ]
    return found


def cited_inputs(db: Session, section_ids: list[int]) -> dict[int, list[CitedInput]]:
    """The inputs each section took up, resolved for display."""
    if not section_ids:
        return {}
    rows = db.exec(
        select(SectionInput)
        .where(col(SectionInput.section_id).in_(section_ids))
        .order_by(col(SectionInput.id))
    ).all()
    found: dict[int, list[CitedInput]] = {}
    for row in rows:
        item = _resolve(db, row)
        if item is not None:
            found.setdefault(row.section_id, []).append(item)
    return found


def _resolve(db: Session, row: SectionInput) -> CitedInput | None:
    if row.amendment_id:
        amendment = db.get(Amendment, row.amendment_id)
        if amendment is not None:
            return CitedInput("amendment", row.amendment_id, amendment.text, amendment.status)
    if row.meeting_comment_id:
        comment = db.get(MeetingComment, row.meeting_comment_id)
        if comment is not None:
            meeting = db.get(Meeting, comment.meeting_id)
            title = meeting.title if meeting else ""
            return CitedInput("meeting-comment", row.meeting_comment_id, comment.text, title)
    if row.contribution_id:
        proposal = db.get(Contribution, row.contribution_id)
        if proposal is not None:
            published = proposal.status == "published"
            text = proposal.text if published else ""
            return CitedInput("proposal", row.contribution_id, text, public=published)
    return None


def versions_citing(
    db: Session, *, contribution_id: int | None = None, amendment_id: int | None = None
) -> list[StrategyVersion]:
    """The public versions with a section that took up this proposal or amendment.

    The hook for tracking pages: "your input changed version N" links to its changes page.
    """
    query = select(StrategyVersion).join(StrategySection).join(SectionInput)
    if contribution_id is not None:
        query = query.where(SectionInput.contribution_id == contribution_id)
    elif amendment_id is not None:
        query = query.where(SectionInput.amendment_id == amendment_id)
    else:
        return []
    query = query.where(col(StrategyVersion.status).in_(versions.PUBLIC_STATES))
    return list(db.exec(query.distinct().order_by(col(StrategyVersion.number))).all())
