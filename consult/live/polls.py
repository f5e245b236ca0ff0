"""Quick polls in the room: one choice, several choices, or a few words for a word cloud.

One answer per phone and poll (replaced while the poll is open); a closed poll is frozen with its
result. The word cloud counts Italian content lemmas (stop words dropped) through
`analysis.nlp_runtime`, the request-time door to `nlp/`, and each phone counts once per word.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from consult.analysis import nlp_runtime
from consult.common import audit
from consult.common.models import utcnow
from consult.common.text_rules import clean_text
from consult.live import phones
from consult.live.models import POLL_KINDS, LivePoll, PollAnswer
from consult.meetings.models import LiveSession, WorkingGroup
from consult.meetings.services import stored_id

QUESTION_MAX = 300
OPTION_MAX = 120
OPTIONS_RANGE = (2, 10)
WORDS_MAX = 200
CLOUD_SIZE = 30


class PollError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def open_poll(
    db: Session,
    live: LiveSession,
    *,
    actor_id: int,
    kind: str,
    question: str,
    options: list[str],
    group: WorkingGroup | None = None,
) -> LivePoll:
    """Open a poll; a scope (plenary or one group) has at most one open poll at a time."""
    if live.status != "open":
        raise PollError("session-closed")
    if kind not in POLL_KINDS:
        raise PollError("kind")
    question = (question or "").strip()
    if not question or len(question) > QUESTION_MAX:
        raise PollError("question")
    cleaned = [o.strip()[:OPTION_MAX] for o in options if o.strip()] if kind != "words" else []
    if kind != "words" and not OPTIONS_RANGE[0] <= len(cleaned) <= OPTIONS_RANGE[1]:
        raise PollError("options")
    if kind != "words" and len(set(cleaned)) != len(cleaned):
        raise PollError("options")
    if group is not None and group.live_session_id != live.id:
        raise PollError("group")
    group_id = stored_id(group) if group is not None else None
    if open_poll_of(db, stored_id(live), group_id) is not None:
        raise PollError("already-open")
    poll = LivePoll(
        live_session_id=stored_id(live),
        working_group_id=group_id,
        kind=kind,
        question=question,
        options=cleaned,
    )
    db.add(poll)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="live_poll.open",
        entity_type="live_poll",
        entity_id=stored_id(poll),
        after={"kind": kind, "question": question, "options": cleaned},
    )
    return poll


def open_poll_of(db: Session, live_session_id: int, group_id: int | None) -> LivePoll | None:
    return db.exec(
        select(LivePoll).where(
            LivePoll.live_session_id == live_session_id,
            LivePoll.working_group_id == group_id,
            LivePoll.status == "open",
        )
    ).first()


def polls(db: Session, live_session_id: int) -> list[LivePoll]:
    return list(
        db.exec(
            select(LivePoll)
            .where(LivePoll.live_session_id == live_session_id)
            .order_by(col(LivePoll.opened_at).desc(), col(LivePoll.id).desc())
        )
    )


def get_poll(db: Session, live_session_id: int, poll_id: int) -> LivePoll | None:
    poll = db.get(LivePoll, poll_id)
    return poll if poll is not None and poll.live_session_id == live_session_id else None


def _checked(poll: LivePoll, choices: list[int], words: str) -> tuple[list[int], str]:
    if poll.kind == "words":
        words = (clean_text(words) or "").strip()
        if not words:
            raise PollError("words")
        if len(words) > WORDS_MAX:
            raise PollError("words-long")
        return [], words
    if any(not 0 <= c < len(poll.options) for c in choices) or len(set(choices)) != len(choices):
        raise PollError("choice")
    if not choices or (poll.kind == "single" and len(choices) != 1):
        raise PollError("choice-count")
    return sorted(choices), ""


def answer(
    db: Session, live: LiveSession, poll: LivePoll, token: str, choices: list[int], words: str
) -> PollAnswer:
    """Store (or replace) this phone's answer; refused once the poll is closed."""
    if poll.status != "open" or live.status != "open":
        raise PollError("poll-closed")
    choices, words = _checked(poll, choices, words)
    lemmas = sorted(set(nlp_runtime.content_lemmas([words])[0])) if words else []
    poll_id, phone_id = stored_id(poll), stored_id(phones.register(db, stored_id(live), token))

    def update(row: PollAnswer) -> None:
        row.choices, row.words, row.lemmas, row.updated_at = choices, words, lemmas, utcnow()

    return phones.one_per_phone(
        db,
        lambda: answer_of(db, poll_id, phone_id),
        lambda: PollAnswer(
            poll_id=poll_id, phone_id=phone_id, choices=choices, words=words, lemmas=lemmas
        ),
        update,
    )


def answer_of(db: Session, poll_id: int, phone_id: int) -> PollAnswer | None:
    return db.exec(
        select(PollAnswer).where(PollAnswer.poll_id == poll_id, PollAnswer.phone_id == phone_id)
    ).first()


def phone_answer(
    db: Session, live: LiveSession, poll: LivePoll, token: str | None
) -> PollAnswer | None:
    phone = phones.find(db, stored_id(live), token) if token else None
    return answer_of(db, stored_id(poll), stored_id(phone)) if phone else None


@dataclass(frozen=True)
class PollResult:
    kind: str
    question: str
    voters: int
    options: list[tuple[str, int]] = field(default_factory=list)
    words: list[tuple[str, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "question": self.question,
            "voters": self.voters,
            "options": [list(pair) for pair in self.options],
            "words": [list(pair) for pair in self.words],
        }


def result(db: Session, poll: LivePoll) -> PollResult:
    """Answers per option, or the most frequent lemmas; a closed poll reads its frozen copy."""
    if poll.result is not None:
        stored = poll.result
        return PollResult(
            kind=stored["kind"],
            question=stored["question"],
            voters=stored["voters"],
            options=[(label, n) for label, n in stored["options"]],
            words=[(word, n) for word, n in stored["words"]],
        )
    answers = list(db.exec(select(PollAnswer).where(PollAnswer.poll_id == poll.id)))
    if poll.kind == "words":
        cloud = Counter(word for a in answers for word in set(a.lemmas))
        ranked = sorted(cloud.items(), key=lambda pair: (-pair[1], pair[0]))[:CLOUD_SIZE]
        return PollResult(poll.kind, poll.question, len(answers), words=ranked)
    counts = Counter(choice for a in answers for choice in a.choices)
    options = [(label, counts.get(index, 0)) for index, label in enumerate(poll.options)]
    return PollResult(poll.kind, poll.question, len(answers), options=options)


def close_poll(db: Session, poll: LivePoll, *, actor_id: int) -> PollResult:
    if poll.status == "closed":
        return result(db, poll)
    frozen = result(db, poll)
    poll.status, poll.closed_at, poll.result = "closed", utcnow(), frozen.as_dict()
    db.add(poll)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="live_poll.close",
        entity_type="live_poll",
        entity_id=stored_id(poll),
        after={"voters": frozen.voters},
    )
    return frozen


def with_results(db: Session, polls_: list[LivePoll]) -> list[tuple[LivePoll, PollResult]]:
    return [(poll, result(db, poll)) for poll in polls_]
