"""2,000 followers of an objective, one published answer: the request stays fast, every message
arrives once at a local SMTP server (aiosmtpd on 127.0.0.1).

    .venv/bin/python bench/notifications_load.py [--followers 2000] [--database-url URL]
"""

import argparse
import socket
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import insert
from sqlmodel import Session, SQLModel, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consult import create_app
from consult.accountability.models import Response
from consult.accounts.models import User
from consult.common.models import utcnow
from consult.framework.models import Consultation, Framework, Objective
from consult.notifications.models import Follow, Notification


class Counter:
    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, _server, _session, envelope):
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _world(engine, followers: int) -> tuple[int, int]:
    with Session(engine) as db:
        framework = Framework(code="bench", title="Bench")
        db.add(framework)
        db.flush()
        objective = Objective(framework_id=framework.id, code="o1", kind="axis", title="O1")
        consultation = Consultation(slug="piemonte-2018", title="Bench", framework_id=framework.id)
        planner = User(email="planner@example.org", role="planner", password_hash="x")
        db.add_all([objective, consultation, planner])
        db.flush()
        now = utcnow()
        db.execute(
            insert(Follow),
            [
                {"email": f"f{n}@example.org", "kind": "objective", "target_id": objective.id,
                 "frequency": "immediate", "locale": "it" if n % 2 else "en",
                 "created_at": now, "confirmed_at": now}
                for n in range(followers)
            ],
        )  # fmt: skip
        response = Response(
            consultation_id=consultation.id,
            objective_id=objective.id,
            text="Accolta.",
            status="accolta",
        )
        db.add(response)
        db.commit()
        return planner.id or 0, response.id or 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    port = _port()
    counter = Counter()
    smtp = Controller(counter, hostname="127.0.0.1", port=port)
    smtp.start()
    app = create_app(
        {
            "DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False, "ANALYSIS_EXECUTOR": "thread", "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "BASE_URL": "https://partecipa.example.it",
            "CONSULT_MODEL_DIR": folder,
        }
    )  # fmt: skip
    engine = app.extensions["consult.engine"]
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    planner_id, response_id = _world(engine, args.followers)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{planner_id}:0"
        session["_fresh"] = True
    client.get("/")  # warm up templates and the engine
    start = time.perf_counter()
    answer = client.post(f"/pianificazione/risposte/{response_id}/pubblica")
    request_ms = (time.perf_counter() - start) * 1000
    assert answer.status_code == 302 and "risposte" in answer.headers["Location"], answer.headers
    with Session(engine) as db:
        queued = len(db.exec(select(Notification.id)).all())
    deadline = time.monotonic() + 120
    while len(counter.recipients) < args.followers and time.monotonic() < deadline:
        time.sleep(0.2)
    delivered_s = time.perf_counter() - start
    time.sleep(1.0)  # anything sent twice would arrive now
    smtp.stop()
    with Session(engine) as db:
        sent = len(db.exec(select(Notification.id).where(Notification.status == "sent")).all())
    unique = len(set(counter.recipients))
    print(
        f"database {url.split(':')[0]}: followers {args.followers}, queued {queued}, "
        f"publish request {request_ms:.0f} ms, delivered {len(counter.recipients)} "
        f"({unique} distinct, {sent} rows sent) in {delivered_s:.1f} s"
    )
    ok = request_ms < 300 and len(counter.recipients) == unique == args.followers == queued
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
