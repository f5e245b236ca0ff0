"""Load test of a live session: a room of phones submitting, a facilitator approving, a projector.

Simulates N participants (default 400) who each open /live/<code> like a phone (getting the CSRF
token and idempotency key from the form) and submit P proposals (default 2) within the duration
(default 60 s); a small share double-taps (re-sends the same idempotency key), which must not
store a second row. Meanwhile a facilitator approves some of the new proposals through the
moderation route, and an SSE client on the projector stream times each approval until the
projector receives it.

Reports p50/p95/p99 submit latency, errors, rows stored versus sent (through the database with
--database-url, else by counting this run's items in the moderation queue) and
approval-to-projector latency. Only talks to 127.0.0.1; bounded in requests and time.

    python bench/live_session.py --url http://127.0.0.1:8000 --code DEMA42

Needs httpx (a dependency of the project's environment) and, for --database-url, SQLAlchemy.
"""

import argparse
import json
import random
import re
import resource
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CSRF_PLAIN = re.compile(r'name="csrf_token" value="([^"]+)"')
IDEMPOTENCY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')
HARD_TIME_LIMIT = 300.0


@dataclass
class Results:
    submit_latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: int = 0
    double_taps: int = 0
    approvals: list[float] = field(default_factory=list)
    approval_misses: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def check_local(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        sys.exit(f"refusing to load {host}: this benchmark only targets this machine")


# Consultation pages live under /c/<slug>/; accounts are site-wide (the demo's slug by default).
CONSULTATION = "/c/piemonte-2018"


def in_consultation(base: str) -> str:
    """The consultation's own address under `base` (unchanged if it already is one)."""
    base = base.rstrip("/")
    return base if "/c/" in base else base + CONSULTATION


def site(base: str) -> str:
    """The site root of a base that may carry a consultation's prefix."""
    return base.rstrip("/").split("/c/", 1)[0]


def proposal_data(run_id: str, phone: int, number: int, csrf: str, key: str) -> dict[str, str]:
    """A phone's proposal form; the text carries the run's id, by which its rows are counted."""
    return {
        "csrf_token": csrf,
        "idempotency_key": key,
        "text": f"Proposta di prova {run_id} dal telefono {phone} numero "
        f"{number}: più servizi di prossimità per le famiglie del territorio.",
        "territory": "1",
        "consent": "y",
    }


class Participant:
    """One phone: its own cookies (session with the CSRF token, join token)."""

    def __init__(self, base: str, code: str, run_id: str, index: int, results: Results) -> None:
        self.client = httpx.Client(
            base_url=in_consultation(base), timeout=30, follow_redirects=False
        )
        self.code, self.run_id, self.index, self.results = code, run_id, index, results
        self.form: tuple[str, str] | None = None
        self.sent = 0

    def open_form(self) -> None:
        page = self.client.get(f"/live/{self.code}")
        if page.status_code != 200:
            raise RuntimeError(f"form {page.status_code}")
        self.form = (CSRF.search(page.text).group(1), IDEMPOTENCY.search(page.text).group(1))

    def submit(self, double_tap: bool) -> None:
        try:
            if self.form is None:
                self.open_form()
            csrf, key = self.form
            data = proposal_data(self.run_id, self.index, self.sent, csrf, key)
            started = time.perf_counter()
            response = self.client.post(f"/live/{self.code}", data=data)
            elapsed = time.perf_counter() - started
            if response.status_code != 303:
                raise RuntimeError(f"submit {response.status_code}")
            with self.results.lock:
                self.results.submit_latencies.append(elapsed)
                self.results.sent += 1
            if double_tap:  # the same key again: must not store a second row
                again = self.client.post(f"/live/{self.code}", data=data)
                if again.status_code != 303:
                    raise RuntimeError(f"double tap {again.status_code}")
                with self.results.lock:
                    self.results.double_taps += 1
            self.sent += 1
            self.form = None
            self.open_form()  # following the redirect, as the phone's browser does
        except (httpx.HTTPError, RuntimeError, AttributeError) as error:
            self.results.error(f"participant {self.index}: {error!r}")
            self.form = None


class Facilitator:
    """Logs in, approves this run's proposals, and watches the projector's SSE stream."""

    def __init__(self, base: str, code: str, email: str, password: str) -> None:
        self.client = httpx.Client(
            base_url=in_consultation(base), timeout=30, follow_redirects=False
        )
        self.base, self.code = in_consultation(base), code
        page = self.client.get(site(base) + "/account/accedi")
        token = CSRF.search(page.text).group(1)
        login = self.client.post(
            site(base) + "/account/accedi",
            data={"csrf_token": token, "email": email, "password": password},
        )
        if login.status_code != 302:
            raise SystemExit(f"facilitator login failed ({login.status_code})")
        projector = self.client.get(f"/live/{code}/proiettore")
        if projector.status_code != 200:
            raise SystemExit(f"projector not available ({projector.status_code})")
        self.session_id = int(
            re.search(r"/facilitatore/sessioni/(\d+)/", self._queue_link()).group(1)
        )
        self.seen: dict[int, float] = {}
        self.seen_lock = threading.Lock()
        self.stop = threading.Event()

    def _queue_link(self) -> str:
        # The projector shows no staff links; find the session through the meeting pages.
        meetings = self.client.get("/facilitatore/incontri").text
        for meeting_id in re.findall(r"/facilitatore/incontri/(\d+)\"", meetings):
            page = self.client.get(f"/facilitatore/incontri/{meeting_id}").text
            found = re.search(
                r'href="(?:/c/[\w-]+)?(/facilitatore/sessioni/\d+)">[^<]*<span[^>]*>' + self.code,
                page,
            )
            if found:
                return found.group(1) + "/"
        raise SystemExit(f"no session {self.code} among this facilitator's meetings")

    def watch(self) -> None:
        """Record when each projected item first appears on the SSE stream."""
        cookies = dict(self.client.cookies)
        sse = httpx.Client(base_url=self.base, cookies=cookies, timeout=None)
        with sse, sse.stream("GET", f"/live/{self.code}/proiettore/eventi") as stream:
            for line in stream.iter_lines():
                if self.stop.is_set():
                    return
                if line.startswith("data:"):
                    now = time.perf_counter()
                    with self.seen_lock:
                        for item_id in re.findall(r'id="proiettore-(\d+)"', line):
                            self.seen.setdefault(int(item_id), now)

    def session_total(self) -> int:
        """All of the session's items, whatever their state, from the queue's tab counters."""
        page = self.client.get(f"/facilitatore/sessioni/{self.session_id}/moderazione").text
        counters = re.findall(r'stato=\w+"[^>]*>[^<(]*\((\d+)\)', page)
        return sum(int(n) for n in counters)

    def pending_ids(self, run_id: str) -> list[int]:
        """Pending items on the queue's first page, this run's first."""
        page = self.client.get(f"/facilitatore/sessioni/{self.session_id}/moderazione").text
        self.csrf = CSRF_PLAIN.search(page).group(1)
        ours, others = [], []
        for block in re.split(r'<li class="[^"]*\bqueue-item\b', page)[1:]:
            item_id = int(re.search(r'id="proposta-(\d+)"', block).group(1))
            (ours if run_id in block else others).append(item_id)
        return ours + others

    def approve(self, item_id: int) -> int:
        """Approve through the moderation route, as the queue's button does without JS."""
        response = self.client.post(
            f"/facilitatore/sessioni/{self.session_id}/proposte/{item_id}/approva",
            data={"csrf_token": self.csrf},
        )
        return response.status_code

    def approve_and_time(self, item_id: int, results: Results, wait: float = 5.0) -> None:
        started = time.perf_counter()
        status = self.approve(item_id)
        if status != 303:
            results.error(f"approve {item_id}: {status}")
            return
        deadline = started + wait
        while time.perf_counter() < deadline:
            with self.seen_lock:
                arrived = self.seen.get(item_id)
            if arrived is not None:
                with results.lock:
                    results.approvals.append(arrived - started)
                return
            time.sleep(0.005)
        with results.lock:
            results.approval_misses += 1


def count_rows(args: argparse.Namespace, facilitator: Facilitator, run_id: str, before: int) -> int:
    """Rows of this run in the database, else the growth of the session's moderation totals."""
    if args.database_url:
        from sqlalchemy import create_engine, text

        url = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        engine = create_engine(url)
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT count(*) FROM contribution WHERE text LIKE :marker"),
                {"marker": f"%{run_id}%"},
            ).scalar_one()
    return facilitator.session_total() - before


def schedule(args: argparse.Namespace) -> list[tuple[float, int, bool]]:
    """(time, participant, double tap): joins spread over the first half, proposals after."""
    rng = random.Random(args.seed)
    events = []
    for index in range(args.participants):
        at = rng.uniform(0, args.duration * 0.4)
        for _ in range(args.proposals):
            at += rng.uniform(2, args.duration * 0.5 / max(1, args.proposals))
            events.append((min(at, args.duration - 1), index, rng.random() < args.double_tap))
    return sorted(events)


def run(args: argparse.Namespace) -> dict:
    check_local(args.url)
    run_id = "bench" + uuid.uuid4().hex[:10]
    results = Results()
    facilitator = Facilitator(args.url, args.code, args.email, args.password)
    total_before = facilitator.session_total()
    watcher = threading.Thread(target=facilitator.watch, daemon=True)
    watcher.start()
    participants = [
        Participant(args.url, args.code, run_id, i, results) for i in range(args.participants)
    ]
    locks = [threading.Lock() for _ in participants]
    plan = schedule(args)
    started = time.perf_counter()

    def act(event: tuple[float, int, bool]) -> None:
        at, index, double_tap = event
        delay = started + at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        with locks[index]:
            participants[index].submit(double_tap)

    approver = threading.Thread(target=approve_loop, args=(args, facilitator, run_id, results))
    approver.start()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(act, plan))
    submit_seconds = time.perf_counter() - started
    approver.join(timeout=HARD_TIME_LIMIT)
    facilitator.stop.set()
    time.sleep(0.5)
    stored = count_rows(args, facilitator, run_id, total_before)
    return report(args, results, stored, submit_seconds)


def approve_loop(args, facilitator: Facilitator, run_id: str, results: Results) -> None:
    """Approve up to --approvals of this run's proposals, one about every second."""
    time.sleep(min(5.0, args.duration / 4))
    approved: set[int] = set()
    deadline = time.perf_counter() + args.duration + 10
    while len(approved) < args.approvals and time.perf_counter() < deadline:
        candidates = [i for i in facilitator.pending_ids(run_id) if i not in approved]
        for item_id in candidates[: max(1, args.approvals // 10)]:
            facilitator.approve_and_time(item_id, results)
            approved.add(item_id)
            time.sleep(0.5)
        time.sleep(0.5)


def report(args, results: Results, stored: int, submit_seconds: float) -> dict:
    ms = [v * 1000 for v in results.submit_latencies]
    approvals = [v * 1000 for v in results.approvals]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    summary = {
        "participants": args.participants,
        "proposals_each": args.proposals,
        "sent": results.sent,
        "double_taps": results.double_taps,
        "stored": stored,
        "lost": results.sent - stored,
        "errors": len(results.errors),
        "submit_ms": {
            "p50": round(percentile(ms, 50), 1),
            "p95": round(percentile(ms, 95), 1),
            "p99": round(percentile(ms, 99), 1),
            "max": round(max(ms), 1) if ms else None,
        },
        "submit_phase_seconds": round(submit_seconds, 1),
        "approval_to_projector_ms": {
            "count": len(approvals),
            "missed": results.approval_misses,
            "p50": round(percentile(approvals, 50), 1),
            "p95": round(percentile(approvals, 95), 1),
            "max": round(max(approvals), 1) if approvals else None,
            "mean": round(statistics.fmean(approvals), 1) if approvals else None,
        },
        "client_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "first_errors": results.errors[:5],
    }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--code", default="DEMA42")
    parser.add_argument("--participants", type=int, default=400)
    parser.add_argument("--proposals", type=int, default=2)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=64, help="client threads")
    parser.add_argument("--double-tap", type=float, default=0.05, help="share of double taps")
    parser.add_argument("--approvals", type=int, default=30)
    parser.add_argument("--email", default="facilitatore@example.org")
    parser.add_argument("--password", default="consult-demo")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()
    if args.participants > 2000 or args.proposals > 10 or args.duration > 600:
        sys.exit("bounded: at most 2000 participants, 10 proposals each, 600 seconds")
    print(json.dumps(run(args), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
