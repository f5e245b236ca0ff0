"""A priorities round and a poll in a room of N phones (default 400), in process, on SQLite.

Each phone loads its page (feed of the room's approved proposals), casts a points ballot (10%
tap twice), answers a word-cloud poll, and supports one proposal; then the facilitator closes the
round and the poll. Reports p50/p95 latency per step, the rows stored against the phones (one
ballot, one answer per phone) and the time to freeze each tally. No network: the Flask test
client talks to the app directly, so the figures are the application's own cost.

    .venv/bin/python bench/live_votes.py --phones 400 --proposals 40
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session, SQLModel, func, select

from consult import create_app
from consult.accounts.models import User
from consult.common.tokens import new_tracking_token
from consult.framework.models import Consultation, Framework
from consult.live import polls, priorities
from consult.live.models import PollAnswer, PriorityBallot
from consult.meetings.models import LiveSession, Meeting
from consult.proposals.models import Contribution, Support

WORDS = ["servizi per gli anziani", "trasporti nelle valli", "casa", "lavoro ai giovani"]


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=400)
    parser.add_argument("--proposals", type=int, default=40)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "CONSULT_MODEL_DIR": str(folder / "models"),
        }
    )
    engine = app.extensions["consult.engine"]
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as db:
        framework = Framework(code="bench", title="Bench")
        staff = User(email="bench@example.org", role="facilitator", password_hash="-")
        db.add_all([framework, staff])
        db.flush()
        actor = staff.id
        consultation = Consultation(slug="bench", title="Bench", framework_id=framework.id)
        db.add(consultation)
        db.flush()
        meeting = Meeting(consultation_id=consultation.id, title="Bench", status="open")
        db.add(meeting)
        db.flush()
        live = LiveSession(meeting_id=meeting.id, code="BNC234")
        db.add(live)
        db.flush()
        items = [
            Contribution(
                consultation_id=consultation.id,
                live_session_id=live.id,
                channel="live",
                status="published",
                text=f"Proposta numero {n} per la sala del bench.",
                tracking_token=new_tracking_token(),
            )
            for n in range(args.proposals)
        ]
        db.add_all(items)
        db.flush()
        round_ = priorities.open_round(db, live, actor_id=actor, method="points", points=10)
        poll = polls.open_poll(
            db, live, actor_id=actor, kind="words", question="Una parola?", options=[]
        )
        db.commit()
    timings: dict[str, list[float]] = {"page": [], "ballot": [], "answer": [], "support": []}
    rng = random.Random(7)
    base = f"/live/{live.code}"
    for _ in range(args.phones):
        phone = app.test_client()
        started = time.perf_counter()
        assert phone.get(base).status_code == 200
        timings["page"].append(time.perf_counter() - started)
        picks = rng.sample(items, 3)
        ballot = {
            f"punti-{picks[0].id}": "5",
            f"punti-{picks[1].id}": "3",
            f"punti-{picks[2].id}": "2",
        }
        for _tap in range(2 if rng.random() < 0.1 else 1):
            started = time.perf_counter()
            assert phone.post(f"{base}/priorita/{round_.id}", data=ballot).status_code == 303
            timings["ballot"].append(time.perf_counter() - started)
        started = time.perf_counter()
        answer = {"parole": rng.choice(WORDS)}
        assert phone.post(f"{base}/sondaggi/{poll.id}", data=answer).status_code == 303
        timings["answer"].append(time.perf_counter() - started)
        started = time.perf_counter()
        phone.post(f"{base}/proposte/{rng.choice(items).id}/sostieni")
        timings["support"].append(time.perf_counter() - started)
    with Session(engine, expire_on_commit=False) as db:
        counts = {
            table.__name__: db.exec(select(func.count()).select_from(table)).one()
            for table in (PriorityBallot, PollAnswer, Support)
        }
        stored_round = priorities.get_round(db, live.id, round_.id)
        stored_poll = polls.get_poll(db, live.id, poll.id)
        started = time.perf_counter()
        tally = priorities.close_round(db, stored_round, actor_id=actor)
        round_seconds = time.perf_counter() - started
        started = time.perf_counter()
        cloud = polls.close_poll(db, stored_poll, actor_id=actor)
        poll_seconds = time.perf_counter() - started
        db.commit()
    print(f"phones {args.phones}, approved proposals {args.proposals}")
    for step, values in timings.items():
        print(f"{step:8} n={len(values):4} p50={p(values, 50):6.1f} ms p95={p(values, 95):6.1f} ms"
              f" mean={statistics.mean(values) * 1000:6.1f} ms")  # fmt: skip
    print(f"rows: {counts}; round voters {tally.voters}; poll answers {cloud.voters}")
    print(f"freeze: round {round_seconds * 1000:.0f} ms, word cloud {poll_seconds * 1000:.0f} ms")
    assert counts["PriorityBallot"] == args.phones and counts["PollAnswer"] == args.phones
    assert tally.voters == args.phones


if __name__ == "__main__":
    main()
