"""A live room of 2,000 phones (issue 15's bar): feeds held open, proposals, approvals, a ballot.

Builds a fresh demo database, starts gunicorn as `make serve` does (gunicorn.conf.py, gevent) on
127.0.0.1 with the room's rate limits raised (every phone of the bench shares one address), then:

1. `--phones` phones (default 2,000) each load the demo room's page (/c/piemonte-2018/live/DEMA42)
   with their own cookies and open their feed stream (/live/DEMA42/bacheca/eventi), held for the
   whole run;
2. `--submitters` of them (default 400) send `--proposals` proposals each (default 2), as the
   phone page does (htmx: one request, answered with the receipt and the next form; `--no-htmx`
   for a browser without JavaScript: 303 to the receipt, then the form again), within
   `--submit-seconds` (default 60), each timed from sending the POST to its response; the rows
   stored are counted in the database against the proposals sent;
3. meanwhile the demo facilitator approves `--approvals` of them (default 30) through the
   moderation route; each approval is timed to its arrival on every phone's feed stream;
4. the facilitator opens a priorities round (10 points per phone), every phone loads its ballot
   and casts one within `--vote-seconds`, the facilitator closes the round and the frozen tally
   (risultato.json) is compared with the ballots sent.

The phones live in `--client-procs` asyncio processes (raw sockets for the streams, one shared
httpx.AsyncClient per process for the pages, each phone sending its own cookies), so the client
is not a thread pool starving under the GIL; their CPU time is reported next to the run's wall
time. Loopback only; the load phases stop after `--hard-limit` seconds (default 300) whatever
happens. The last line printed is one JSON object with every figure.

    ulimit -n 20000   # this process and its children hold ~2 sockets per phone
    python bench/live_room.py --phones 100 --submitters 20          # a quick look
    python bench/live_room.py                                        # SQLite, 1 gevent worker
    python bench/live_room.py --workers 2 --redis-url redis://127.0.0.1:6379/13 \
        --database-url postgresql://postgres@127.0.0.1:5432/bench_room
"""

import argparse
import asyncio
import contextlib
import http.cookiejar
import json
import multiprocessing
import os
import random
import re
import resource
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench import live_session, stream_load
from bench.live_streams import prepare_database, raise_open_files, server_env

FACILITATOR, PASSWORD, CODE = "facilitatore@example.org", "consult-demo", "DEMA42"
PREFIX = "/c/piemonte-2018"
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
IDEMPOTENCY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')
CANDIDATE = re.compile(r'name="punti-(\d+)"')
ROUND_CLOSE = re.compile(r"/priorita/(\d+)/chiudi")
POINTS = 10
# Every phone of the bench comes from 127.0.0.1: the per-address room limits would refuse the room.
SERVER_LIMITS = {
    "CONSULT_LIVE_ROOM_RATE_LIMIT": "1000000 per minute",
    "CONSULT_LIVE_STREAMS_PER_ADDRESS": "20000",
}


def percentiles(values: list[float], scale: float = 1000.0) -> dict:
    """p50/p95/p99/max (nearest rank) of `values`, in milliseconds by default."""
    if not values:
        return {"count": 0, "p50": None, "p95": None, "p99": None, "max": None}
    return {
        "count": len(values),
        "p50": round(scale * stream_load.percentile(values, 50), 1),
        "p95": round(scale * stream_load.percentile(values, 95), 1),
        "p99": round(scale * stream_load.percentile(values, 99), 1),
        "max": round(scale * max(values), 1),
    }


# --- the phones: one asyncio process per share of the room ------------------------------------


@dataclass
class Phone:
    index: int
    cookies: dict[str, str] = field(default_factory=dict)
    form: tuple[str, str] | None = None
    stream_status: int | None = None
    stream_ended: bool = False
    seen: dict[int, float] = field(default_factory=dict)  # approved item -> first arrival

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def keep_cookies(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]


@dataclass
class Share:
    """What one client process measures for its phones."""

    join_seconds: list[float] = field(default_factory=list)
    submit_seconds: list[float] = field(default_factory=list)
    ballot_seconds: list[float] = field(default_factory=list)
    ballot_page_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: int = 0  # proposals the server accepted (303)
    attempted: int = 0  # proposals POSTed, whatever the answer
    ballots: int = 0
    points: Counter = field(default_factory=Counter)  # candidate -> points sent
    voters: Counter = field(default_factory=Counter)  # candidate -> phones that gave it points


class Room:
    """The phones of one client process, driven by the coordinator's commands."""

    def __init__(self, conn: Connection, config: dict) -> None:
        self.conn, self.config = conn, config
        self.host, self.port = config["host"], config["port"]
        self.phones = [Phone(i) for i in config["indices"]]
        self.share = Share()
        self.awaited: dict[bytes, int] = {}  # marker in the feed's HTML -> approved item
        self.tasks: list[asyncio.Task] = []
        self.rng = random.Random(config["seed"] * 1000 + config["proc"])
        jar = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self.in_flight = asyncio.Semaphore(config["connections"])
        self.http = httpx.AsyncClient(
            base_url=f"http://{self.host}:{self.port}{PREFIX}",
            timeout=60,
            follow_redirects=False,
            cookies=jar,  # the shared client keeps no cookie: each phone sends its own
            limits=httpx.Limits(
                max_connections=config["connections"], max_keepalive_connections=64
            ),
        )

    def error(self, phone: Phone, what: str, error: object) -> None:
        self.share.errors.append(f"phone {phone.index} {what}: {error!r}"[:300])

    async def get(self, phone: Phone, path: str) -> tuple[httpx.Response, float]:
        return await self.request(phone, "GET", path, None)

    async def post(
        self, phone: Phone, path: str, data: dict, headers: dict | None = None
    ) -> tuple[httpx.Response, float]:
        return await self.request(phone, "POST", path, data, headers)

    async def request(
        self, phone: Phone, method: str, path: str, data: dict | None, extra: dict | None = None
    ):
        """(response, seconds from sending to the response). At most `connections` requests of
        this process are in flight: the others wait here, untimed, not in httpx's pool (whose
        queue of waiting requests costs the client CPU quadratically)."""
        async with self.in_flight:
            started = time.perf_counter()
            headers = {"Cookie": phone.cookie_header(), **(extra or {})}
            response = await self.http.request(method, path, data=data, headers=headers)
            elapsed = time.perf_counter() - started
        phone.keep_cookies(response)
        return response, elapsed

    async def post_one_write(self, phone: Phone, path: str, data: dict) -> tuple[int, float]:
        """POST on a new connection, headers and body in one write (httpx writes them apart):
        (status, seconds from sending to the answer's status line)."""
        body = urlencode(data).encode()
        head = (
            f"POST {PREFIX}{path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Cookie: {phone.cookie_header()}\r\nConnection: close\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        async with self.in_flight:
            reader, writer = await asyncio.open_connection(self.host, self.port)
            try:
                started = time.perf_counter()
                writer.write(head + body)
                answer = await reader.readuntil(b"\r\n\r\n")
                elapsed = time.perf_counter() - started
            finally:
                writer.close()
        lines = answer.decode("latin-1").split("\r\n")
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "set-cookie":
                cookie, _, rest = value.strip().partition("=")
                phone.cookies[cookie] = rest.split(";", 1)[0]
        return int(lines[0].split()[1]), elapsed

    # joining and holding the feed

    async def open_form(self, phone: Phone) -> None:
        page, _ = await self.get(phone, f"/live/{CODE}")
        if page.status_code != 200:
            raise RuntimeError(f"form {page.status_code}")
        phone.form = (CSRF.search(page.text).group(1), IDEMPOTENCY.search(page.text).group(1))

    async def join(self, phone: Phone, gate: asyncio.Semaphore) -> None:
        async with gate:
            started = time.perf_counter()
            try:
                await self.open_form(phone)
            except (httpx.HTTPError, RuntimeError, AttributeError) as error:
                self.error(phone, "join", error)
                return
            self.share.join_seconds.append(time.perf_counter() - started)
            ready = asyncio.Event()
            self.tasks.append(asyncio.create_task(self.hold_feed(phone, ready)))
            await ready.wait()

    async def hold_feed(self, phone: Phone, ready: asyncio.Event) -> None:
        """The phone's feed stream, read until cancelled; notes when each awaited item arrives."""
        path = f"{PREFIX}/live/{CODE}/bacheca/eventi"
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: text/event-stream"
            f"\r\nCookie: {phone.cookie_header()}\r\n\r\n"
        ).encode()
        writer = None
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            phone.stream_status = int(head.split()[1])
            ready.set()
            if phone.stream_status != 200:
                return
            tail = b""
            while chunk := await reader.read(65536):
                now = time.perf_counter()
                data = tail + chunk
                for marker, item_id in self.awaited.items():
                    if item_id not in phone.seen and marker in data:
                        phone.seen[item_id] = now
                tail = data[-40:]  # longer than any marker: one split across reads is found
            phone.stream_ended = True
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            phone.stream_status = phone.stream_status or 0
            phone.stream_ended = True
            self.error(phone, "stream", error)
        finally:
            ready.set()
            if writer is not None:
                writer.close()

    # proposals

    async def submit_all(self, phone: Phone, times: list[float], run_id: str) -> None:
        for number, at in enumerate(times):
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            try:
                if phone.form is None:
                    await self.open_form(phone)
                csrf, key = phone.form
                data = {
                    **live_session.proposal_data(run_id, phone.index, number, csrf, key),
                    "working_group": "0",
                }
                phone.form = None
                self.share.attempted += 1
                if self.config["one_write"]:
                    status, elapsed = await self.post_one_write(phone, f"/live/{CODE}", data)
                    fragment = None
                elif self.config["no_htmx"]:  # a browser without JavaScript: 303, then a page
                    response, elapsed = await self.post(phone, f"/live/{CODE}", data)
                    status, fragment = response.status_code, None
                else:  # as the phone page sends it: htmx, answered with receipt and new form
                    headers = {"HX-Request": "true"}
                    response, elapsed = await self.post(phone, f"/live/{CODE}", data, headers)
                    status, fragment = response.status_code, response.text
                if status != (200 if fragment is not None else 303):
                    raise RuntimeError(f"submit {status}")
                self.share.submit_seconds.append(elapsed)
                self.share.sent += 1
                if fragment is not None and "Grazie, abbiamo ricevuto" in fragment:
                    phone.form = (
                        CSRF.search(fragment).group(1),
                        IDEMPOTENCY.search(fragment).group(1),
                    )
                else:
                    await self.open_form(phone)  # following the redirect, as a browser does
            except (httpx.HTTPError, RuntimeError, AttributeError) as error:
                self.error(phone, "submit", error)

    async def submit_phase(self, started: float, run_id: str) -> None:
        window = self.config["submit_seconds"]
        proposals = self.config["proposals"]
        jobs = []
        for phone in self.phones:
            if phone.index >= self.config["submitters"] or phone.stream_status is None:
                continue
            at = self.rng.uniform(0, window * 0.4)
            times = []
            for _ in range(proposals):
                times.append(started + min(at, window - 1))
                at += self.rng.uniform(2, window * 0.5 / max(1, proposals))
            jobs.append(self.submit_all(phone, times, run_id))
        await asyncio.gather(*jobs)

    # the ballot

    async def vote(self, phone: Phone, round_id: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        path = f"/live/{CODE}/priorita/{round_id}"
        try:
            page, elapsed = await self.get(phone, path)
            self.share.ballot_page_seconds.append(elapsed)
            if page.status_code != 200:
                raise RuntimeError(f"ballot page {page.status_code}")
            csrf = CSRF.search(page.text).group(1)
            candidates = [int(c) for c in CANDIDATE.findall(page.text)]
            if not candidates:
                raise RuntimeError("no candidates on the ballot")
            first = candidates[phone.index % len(candidates)]
            second = candidates[(phone.index * 7 + 3) % len(candidates)]
            allocations = Counter({first: 6})
            allocations[second] += POINTS - 6
            data = {"csrf_token": csrf, **{f"punti-{c}": str(p) for c, p in allocations.items()}}
            response, elapsed = await self.post(phone, path, data)
            if response.status_code != 303:
                raise RuntimeError(f"ballot {response.status_code}")
        except (httpx.HTTPError, RuntimeError, AttributeError) as error:
            self.error(phone, "ballot", error)
            return
        self.share.ballot_seconds.append(elapsed)
        self.share.ballots += 1
        self.share.points.update(allocations)
        self.share.voters.update(allocations.keys())

    async def vote_phase(self, round_id: int, started: float) -> None:
        window = self.config["vote_seconds"]
        streaming = [p for p in self.phones if p.stream_status is not None]
        await asyncio.gather(
            *(self.vote(p, round_id, started + self.rng.uniform(0, window)) for p in streaming)
        )

    # the coordinator's commands

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        inbox: asyncio.Queue = asyncio.Queue()
        loop.add_reader(self.conn.fileno(), lambda: inbox.put_nowait(self.conn.recv()))
        gate = asyncio.Semaphore(self.config["join_concurrency"])
        await asyncio.gather(*(self.join(p, gate) for p in self.phones))
        self.send("joined", self.joined())
        while True:
            command, *arguments = await inbox.get()
            if command == "submit":  # in the background: the approvals' commands go on
                self.background(self.submit_phase(*arguments), "submitted")
            elif command == "await":
                (item_id,) = arguments
                self.awaited[f'id="proposta-{item_id}"'.encode()] = item_id
                self.send("awaiting", item_id)
            elif command == "arrivals":
                counts = Counter(i for p in self.phones for i in p.seen)
                self.send("arrivals", dict(counts))
            elif command == "vote":
                self.background(self.vote_phase(*arguments), "voted")
            elif command == "stop":
                break
        for task in self.tasks:  # the phases still running (past the hard limit), the streams
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self.tasks, return_exceptions=True)
        self.send("final", self.final())
        await self.http.aclose()

    def background(self, phase, done: str) -> None:
        async def then_report() -> None:
            await phase
            self.send(done, {"sent": self.share.sent, "ballots": self.share.ballots})

        self.tasks.append(asyncio.create_task(then_report()))

    def send(self, kind: str, payload: object) -> None:
        self.conn.send((kind, payload))

    def joined(self) -> dict:
        return {
            "phones": len(self.phones),
            "streams": Counter(p.stream_status for p in self.phones),
            "join_seconds": self.share.join_seconds,
        }

    def final(self) -> dict:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "share": self.share,
            "streams": Counter(p.stream_status for p in self.phones),
            "streams_ended": sum(p.stream_ended for p in self.phones),
            "arrivals": {
                item_id: [p.seen[item_id] for p in self.phones if item_id in p.seen]
                for item_id in self.awaited.values()
            },
            "streaming": sum(p.stream_status == 200 for p in self.phones),
            "open_at_end": sum(p.stream_status == 200 and not p.stream_ended for p in self.phones),
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
        }


def client_process(conn: Connection, config: dict) -> None:
    raise_open_files()
    asyncio.run(Room(conn, config).run())


# --- the coordinator: the facilitator, the clock, the figures ---------------------------------


class Clients:
    """The client processes and their pipes."""

    def __init__(self, procs: int, phones: int, config: dict) -> None:
        context = multiprocessing.get_context("spawn")
        self.conns, self.procs = [], []
        self.mailboxes: list[list[tuple[str, object]]] = [[] for _ in range(procs)]
        for proc in range(procs):
            ours, theirs = context.Pipe()
            share = {**config, "proc": proc, "indices": list(range(proc, phones, procs))}
            process = context.Process(target=client_process, args=(theirs, share), daemon=True)
            process.start()
            self.conns.append(ours)
            self.procs.append(process)

    def send(self, *message) -> None:
        for conn in self.conns:
            conn.send(message)

    def gather(self, kind: str, deadline: float) -> list:
        """One `kind` answer from every process, or as many as came before `deadline`; answers
        of other kinds that arrive meanwhile are kept for their own gathering."""
        answers: dict[int, object] = {}
        for index, kept in enumerate(self.mailboxes):
            for message in kept:
                if message[0] == kind and index not in answers:
                    answers[index] = message[1]
                    kept.remove(message)
                    break
        while len(answers) < len(self.conns) and (left := deadline - time.perf_counter()) > 0:
            waiting = [c for i, c in enumerate(self.conns) if i not in answers]
            for conn in wait(waiting, timeout=left):
                index = self.conns.index(conn)
                got, payload = conn.recv()
                if got == kind:
                    answers[index] = payload
                else:
                    self.mailboxes[index].append((got, payload))
        return list(answers.values())

    def close(self) -> None:
        for process in self.procs:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()


def approve_loop(
    args, facilitator: live_session.Facilitator, clients: Clients, run_id: str, deadline: float
) -> tuple[dict[int, float], list[float], list[str]]:
    """Approve `--approvals` of this run's proposals, spread over the submissions' window.

    Every client process is told which item to watch for before the approval is sent; the
    approval's time is taken just before its POST leaves."""
    approved: dict[int, float] = {}
    seconds: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    first = min(5.0, args.submit_seconds / 4)
    spacing = max(0.5, (args.submit_seconds - first - 2) / max(1, args.approvals))
    time.sleep(first)
    while len(approved) < args.approvals and time.perf_counter() < deadline:
        due = started + first + spacing * len(approved)
        time.sleep(max(0.0, due - time.perf_counter()))
        try:
            candidates = [i for i in facilitator.pending_ids(run_id) if i not in approved]
        except (httpx.HTTPError, AttributeError) as error:
            errors.append(f"moderation queue: {error!r}")
            continue
        if not candidates:
            time.sleep(0.5)
            if time.perf_counter() > started + args.submit_seconds + 10:
                errors.append("no pending proposal of this run to approve")
                break
            continue
        item_id = candidates[0]
        clients.send("await", item_id)
        clients.gather("awaiting", time.perf_counter() + 10)
        sent = time.perf_counter()
        try:
            status = facilitator.approve(item_id)
        except httpx.HTTPError as error:
            errors.append(f"approve {item_id}: {error!r}")
            approved[item_id] = sent  # it may still be approved: its arrivals are measured
            continue
        seconds.append(time.perf_counter() - sent)
        if status != 303:
            errors.append(f"approve {item_id}: {status}")
            continue
        approved[item_id] = sent
    return approved, seconds, errors


def wait_for_deliveries(
    clients: Clients, approved: dict[int, float], streaming: int, args, deadline: float
) -> float:
    """Ask the clients how many phones got each approved item until all did; seconds waited."""
    started = time.perf_counter()
    stop = min(deadline, started + args.delivery_wait)
    while time.perf_counter() < stop:
        clients.send("arrivals")
        totals: Counter = Counter()
        for counts in clients.gather("arrivals", stop):
            totals.update(counts)
        if all(totals[i] >= streaming for i in approved):
            break
        time.sleep(0.5)
    return time.perf_counter() - started


def priorities_round(args, facilitator: live_session.Facilitator, clients: Clients, deadline):
    """Open a points round, let every phone vote, close it; the ballots' figures and the tally."""
    if deadline - time.perf_counter() < args.vote_seconds + 10:
        raise RuntimeError("the hard limit leaves no time for the ballot: skipped")
    client = facilitator.client
    session_page = f"/facilitatore/sessioni/{facilitator.session_id}"
    csrf = CSRF.search(client.get(session_page).text).group(1)
    opened = client.post(
        f"{session_page}/priorita",
        data={"csrf_token": csrf, "group": "", "method": "points", "points": str(POINTS)},
    )
    if opened.status_code != 303:
        raise RuntimeError(f"opening the round answered {opened.status_code}")
    round_id = int(ROUND_CLOSE.search(client.get(session_page).text).group(1))
    started = time.perf_counter()
    clients.send("vote", round_id, started + 0.5)
    voted = clients.gather("voted", min(deadline, started + args.vote_seconds + 120))
    vote_wall = time.perf_counter() - started
    closing = time.perf_counter()
    closed = client.post(f"{session_page}/priorita/{round_id}/chiudi", data={"csrf_token": csrf})
    close_seconds = time.perf_counter() - closing
    if closed.status_code != 303:
        raise RuntimeError(f"closing the round answered {closed.status_code}")
    result = client.get(f"{session_page}/priorita/{round_id}/risultato.json")
    if result.status_code != 200:
        raise RuntimeError(f"the round's result answered {result.status_code}")
    return round_id, result.json(), vote_wall, close_seconds, len(voted)


def tally_check(result: dict, shares: list[Share]) -> dict:
    """The frozen tally against the ballots the phones had accepted."""
    points, voters = Counter(), Counter()
    for share in shares:
        points.update(share.points)
        voters.update(share.voters)
    ballots = sum(share.ballots for share in shares)
    rows = {int(row["id_proposta"]): row for row in result.get("results", [])}
    mismatches = [
        cid
        for cid in set(points) | set(rows)
        if rows.get(cid, {}).get("punti", 0) != points[cid]
        or rows.get(cid, {}).get("telefoni", 0) != voters[cid]
    ]
    voted = result.get("phones_voted")
    return {
        "ballots_sent": ballots,
        "tally_voters": voted,
        "ballots_lost": None if voted is None else ballots - voted,  # None: no tally read
        "points_sent": sum(points.values()),
        "tally_points": sum(row.get("punti", 0) for row in rows.values()),
        "rows_mismatched": len(mismatches),
        "tally_exact": bool(rows) and not mismatches and voted == ballots and ballots > 0,
    }


def cpu_seconds() -> dict:
    """CPU seconds used so far by this process's descendants: the server (gunicorn's master and
    workers) and the client processes (everything else)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents, used, server = {}, {}, set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry)], used[int(entry)] = int(fields[1]), (int(fields[11]) + int(fields[12]))
        if b"gunicorn" in command:
            server.add(int(entry))
    totals = {"server": 0.0, "clients": 0.0, "server_pids": set()}
    for pid, seconds in used.items():
        ancestor = parents.get(pid)
        while ancestor and ancestor != os.getpid():
            ancestor = parents.get(ancestor)
        if ancestor == os.getpid():
            totals["server" if pid in server else "clients"] += seconds / tick
            if pid in server:
                totals["server_pids"].add(pid)
    return totals


class Phases:
    """Wall and CPU seconds (server, clients) of each phase of the run."""

    def __init__(self) -> None:
        self.figures: dict[str, dict] = {}
        self.mark, self.cpu = time.perf_counter(), cpu_seconds()

    def end(self, name: str) -> None:
        now, cpu = time.perf_counter(), cpu_seconds()
        wall = now - self.mark
        self.figures[name] = {
            "wall_s": round(wall, 1),
            "server_cpu_s": round(cpu["server"] - self.cpu["server"], 1),
            "clients_cpu_s": round(cpu["clients"] - self.cpu["clients"], 1),
        }
        if cpu["server_pids"] != self.cpu["server_pids"]:  # a worker was killed and replaced
            self.figures[name]["server_cpu_s"] = None
            self.figures[name]["server_restarted"] = True
        self.mark, self.cpu = now, cpu


def count_stored(url: str, run_id: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT count(*) FROM contribution WHERE text LIKE :marker"),
                {"marker": f"%{run_id}%"},
            ).scalar_one()
    finally:
        engine.dispose()


def delivery_figures(approved: dict[int, float], finals: list[dict], streaming: int) -> dict:
    deltas, missed, per_item_last = [], 0, []
    for item_id, sent in approved.items():
        arrivals = [t for final in finals for t in final["arrivals"].get(item_id, [])]
        missed += streaming - len(arrivals)
        item_deltas = [t - sent for t in arrivals]
        deltas.extend(item_deltas)
        if item_deltas:
            per_item_last.append(max(item_deltas))
    return {
        "approvals": len(approved),
        "phone_streams": streaming,
        "expected_arrivals": streaming * len(approved),
        "arrivals": len(deltas),
        "missed": missed,
        "ms": percentiles(deltas),
        "last_phone_per_approval_ms": percentiles(per_item_last),
    }


def recreate_postgres(url: str) -> None:
    """Drop and create the (loopback) PostgreSQL database of `url`: a fresh demo every run."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name in {
        "postgres",
        "template0",
        "template1",
    }:
        sys.exit(f"refusing to recreate the database {name!r}")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")


def run(args) -> dict:
    load_start = os.getloadavg()
    limit = raise_open_files()
    if limit < 2 * args.phones + 500:
        sys.exit(f"open files limit {limit} < {2 * args.phones + 500}: `ulimit -n 20000` first")
    workdir = Path(tempfile.mkdtemp(prefix="consult-room-"))
    url = args.database_url or f"sqlite:///{workdir / 'room.sqlite3'}"
    env = {
        **server_env("live-room", workdir, url, args.log, args.redis_url),
        "WORKERS": str(args.workers),
        **SERVER_LIMITS,
    }
    if args.gevent_monitor:  # gevent's monitor thread reports a loop blocked this long, with stacks
        env["GEVENT_MONITOR_THREAD_ENABLE"] = "true"
        env["GEVENT_MAX_BLOCKING_TIME"] = str(args.gevent_monitor)
    if args.access_log:  # gunicorn reads extra options from the environment
        env["GUNICORN_CMD_ARGS"] = (
            f"--access-logfile {args.access_log} --access-logformat '%(t)s %(m)s %(U)s %(s)s %(M)s'"
        )
    if args.recreate_database and url.startswith("postgresql"):
        recreate_postgres(url)
    prepare_database(url, env)
    low, high = (int(part) for part in args.ports.split("-"))
    port = stream_load.free_port(low, high)
    command = stream_load.make_serve_command(port, args.workers)
    run_id = "room" + uuid.uuid4().hex[:10]
    with stream_load.serving(port, env, command) as base:
        began = time.perf_counter()
        deadline = began + args.hard_limit
        facilitator = live_session.Facilitator(base, CODE, FACILITATOR, PASSWORD)
        config = {
            "host": "127.0.0.1",
            "port": port,
            "seed": args.seed,
            "submitters": args.submitters,
            "proposals": args.proposals,
            "submit_seconds": args.submit_seconds,
            "vote_seconds": args.vote_seconds,
            "join_concurrency": args.join_concurrency,
            "connections": args.connections,
            "one_write": args.one_write_posts,
            "no_htmx": args.no_htmx,
        }
        clients = Clients(args.client_procs, args.phones, config)
        try:
            figures = drive(args, facilitator, clients, run_id, url, began, deadline)
        finally:
            clients.send("stop")
            finals = clients.gather("final", time.perf_counter() + 120)
            if len(finals) < len(clients.conns):
                print(f"only {len(finals)} of {len(clients.conns)} client processes reported")
            clients.close()
            facilitator.client.close()
    figures["load_average_start"] = load_start
    figures["load_average_end"] = os.getloadavg()
    return finish(args, figures, finals, url)


def drive(args, facilitator, clients: Clients, run_id: str, url: str, began, deadline) -> dict:
    figures: dict = {"errors_coordinator": []}
    phases = Phases()
    figures["phases"] = phases.figures
    joined = clients.gather("joined", deadline)
    phases.end("join")
    figures["join_wall_seconds"] = round(time.perf_counter() - began, 1)
    streams: Counter = Counter()
    join_seconds: list[float] = []
    for answer in joined:
        streams.update(answer["streams"])
        join_seconds.extend(answer["join_seconds"])
    figures["join_page_ms"] = percentiles(join_seconds)
    streaming = streams.get(200, 0)
    figures["streams_opened"] = streaming
    print(f"joined: {streaming} feed streams open in {figures['join_wall_seconds']} s", flush=True)

    started = time.perf_counter() + 0.5
    clients.send("submit", started, run_id)
    approved, approve_seconds, errors = approve_loop(args, facilitator, clients, run_id, deadline)
    figures["errors_coordinator"] += errors
    clients.gather("submitted", min(deadline, started + args.submit_seconds + 120))
    figures["submit_wall_seconds"] = round(time.perf_counter() - started, 1)
    figures["approve_post_ms"] = percentiles(approve_seconds)
    waited = wait_for_deliveries(clients, approved, streaming, args, deadline)
    figures["delivery_drain_seconds"] = round(waited, 1)
    phases.end("submit_approve")
    figures["approved"] = approved
    figures["stored"] = count_stored(url, run_id)
    print(f"submitted and approved {len(approved)}; voting", flush=True)
    try:
        round_id, result, vote_wall, close_seconds, answered = priorities_round(
            args, facilitator, clients, deadline
        )
        figures.update(
            round_id=round_id,
            result=result,
            vote_wall_seconds=round(vote_wall, 1),
            close_round_ms=round(1000 * close_seconds, 1),
            vote_processes_answered=answered,
        )
    except (RuntimeError, AttributeError, httpx.HTTPError) as error:
        figures["errors_coordinator"].append(f"round: {error!r}")
        figures["result"] = {}
    phases.end("vote")
    figures["load_wall_seconds"] = round(time.perf_counter() - began, 1)
    figures["hard_limit_hit"] = time.perf_counter() >= deadline
    return figures


def finish(args, figures: dict, finals: list[dict], url: str) -> dict:
    shares = [final["share"] for final in finals]
    streaming = sum(final["streaming"] for final in finals)
    streams: Counter = Counter()
    for final in finals:
        streams.update(final["streams"])
    sent = sum(share.sent for share in shares)
    errors = [e for share in shares for e in share.errors]
    client_cpu = [round(final["cpu_seconds"], 1) for final in finals]
    summary = {
        "phones": args.phones,
        "submitters": args.submitters,
        "proposals_each": args.proposals,
        "submit_as": "one write" if args.one_write_posts else ("form" if args.no_htmx else "htmx"),
        "workers": args.workers,
        "database": url.split(":", 1)[0],
        "broker": "redis" if args.redis_url else "in-process",
        "client_procs": args.client_procs,
        "cpu_count": os.cpu_count(),
        "load_average_start": [round(v, 2) for v in figures["load_average_start"]],
        "load_average_end": [round(v, 2) for v in figures["load_average_end"]],
        "join_wall_seconds": figures.get("join_wall_seconds"),
        "join_page_ms": figures.get("join_page_ms"),
        "streams_opened": figures.get("streams_opened"),
        "streams_at_end": sum(final["open_at_end"] for final in finals),
        "client_procs_reported": len(finals),
        "stream_statuses": {str(k): v for k, v in streams.items()},
        "streams_ended_by_server": sum(final["streams_ended"] for final in finals),
        "submit": {
            "sent": sum(share.attempted for share in shares),
            "accepted": sent,
            "stored": figures.get("stored"),
            "lost": max(0, sent - (figures.get("stored") or 0)),
            "errors": sum(" submit" in e for e in errors),
            "ms": percentiles([s for share in shares for s in share.submit_seconds]),
            "wall_seconds": figures.get("submit_wall_seconds"),
        },
        "approve_post_ms": figures.get("approve_post_ms"),
        "delivery": delivery_figures(figures.get("approved", {}), finals, streaming),
        "delivery_drain_seconds": figures.get("delivery_drain_seconds"),
        "ballot": {
            **tally_check(figures.get("result", {}), shares),
            "errors": sum(" ballot" in e for e in errors),
            "page_ms": percentiles([s for share in shares for s in share.ballot_page_seconds]),
            "post_ms": percentiles([s for share in shares for s in share.ballot_seconds]),
            "wall_seconds": figures.get("vote_wall_seconds"),
            "close_round_ms": figures.get("close_round_ms"),
        },
        "errors_total": len(errors) + len(figures["errors_coordinator"]),
        "first_errors": (figures["errors_coordinator"] + errors)[:8],
        "load_wall_seconds": figures.get("load_wall_seconds"),
        "hard_limit_hit": figures.get("hard_limit_hit"),
        "client_cpu_seconds": client_cpu,
        "phases": figures.get("phases"),
        "coordinator_cpu_seconds": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 1),
    }
    return summary


def table(summary: dict) -> str:
    def ms(figures: dict | None) -> str:
        if not figures or not figures.get("count"):
            return "-"
        return f"p50 {figures['p50']} / p95 {figures['p95']} / p99 {figures['p99']} ms"

    submit, delivery, ballot = summary["submit"], summary["delivery"], summary["ballot"]
    rows = [
        (
            "server",
            f"{summary['workers']} gevent worker(s), {summary['database']}, "
            f"{summary['broker']} broker",
        ),
        (
            "load average start / end",
            f"{summary['load_average_start']} / "
            f"{summary['load_average_end']} ({summary['cpu_count']} CPUs)",
        ),
        (
            "phones joined, feeds open",
            f"{summary['streams_opened']} of {summary['phones']} in "
            f"{summary['join_wall_seconds']} s; at the end {summary['streams_at_end']}, "
            f"{summary['streams_ended_by_server']} ended by the server",
        ),
        ("phone page (join)", ms(summary["join_page_ms"])),
        (
            "proposals sent / accepted / stored / lost",
            f"{submit['sent']} / {submit['accepted']} / {submit['stored']} / {submit['lost']}, "
            f"{submit['errors']} errors, in {submit['wall_seconds']} s",
        ),
        ("submit latency", ms(submit["ms"])),
        ("approve POST", ms(summary["approve_post_ms"])),
        ("approval -> every phone feed", ms(delivery["ms"])),
        ("  last phone per approval", ms(delivery["last_phone_per_approval_ms"])),
        (
            "  arrivals / expected / missed",
            f"{delivery['arrivals']} / "
            f"{delivery['expected_arrivals']} / {delivery['missed']} ({delivery['approvals']} "
            "approvals)",
        ),
        (
            "ballots sent / tallied / lost",
            f"{ballot['ballots_sent']} / {ballot['tally_voters']} / {ballot['ballots_lost']}, "
            f"{ballot['errors']} errors, exact: {ballot['tally_exact']}",
        ),
        ("ballot page", ms(ballot["page_ms"])),
        ("ballot POST", ms(ballot["post_ms"])),
        (
            "voting wall / close round",
            f"{ballot['wall_seconds']} s / {ballot['close_round_ms']} ms",
        ),
        (
            "client CPU s (per process)",
            f"{summary['client_cpu_seconds']} over {summary['load_wall_seconds']} s of load",
        ),
        *(
            (
                f"phase {name}",
                f"{p['wall_s']} s wall, server CPU {p['server_cpu_s']} s"
                f"{' (a worker was killed and replaced)' if p.get('server_restarted') else ''}, "
                f"clients CPU {p['clients_cpu_s']} s",
            )
            for name, p in (summary.get("phases") or {}).items()
        ),
        ("errors", f"{summary['errors_total']}"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--submitters", type=int, default=400)
    parser.add_argument("--proposals", type=int, default=2, help="proposals per submitter")
    parser.add_argument("--approvals", type=int, default=30)
    parser.add_argument("--submit-seconds", type=float, default=60.0)
    parser.add_argument("--vote-seconds", type=float, default=30.0)
    parser.add_argument(
        "--delivery-wait",
        type=float,
        default=30.0,
        help="after the last approval, how long to wait for stragglers",
    )
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--join-concurrency", type=int, default=50, help="per client process")
    parser.add_argument(
        "--connections", type=int, default=200, help="page connections per client process"
    )
    parser.add_argument(
        "--one-write-posts",
        action="store_true",
        help="send each proposal's headers and body in one write, on a new connection",
    )
    parser.add_argument(
        "--no-htmx",
        action="store_true",
        help="send proposals as a browser without JavaScript (303 to the receipt, then the form)",
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--redis-url", help="live events between workers (and rate limits)")
    parser.add_argument(
        "--recreate-database",
        action="store_true",
        help="drop and create --database-url's PostgreSQL database first (a fresh demo)",
    )
    parser.add_argument("--ports", default="8150-8199", help="the range to pick a free port in")
    parser.add_argument("--hard-limit", type=float, default=300.0, help="seconds of load, at most")
    parser.add_argument("--log", help="write the server's log here")
    parser.add_argument(
        "--gevent-monitor", type=float, help="log the server's loop blocked this many seconds"
    )
    parser.add_argument("--access-log", help="gunicorn's access log (with ms per request) here")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    if args.phones > 5000 or args.submitters > args.phones or args.hard_limit > 600:
        sys.exit("bounded: at most 5,000 phones, submitters among them, 600 s of load")
    for url in (args.database_url, args.redis_url):
        if url and urlsplit(url).hostname not in stream_load.LOOPBACK:
            sys.exit(f"refusing {urlsplit(url).hostname}: this benchmark only uses this machine")
    summary = run(args)
    print(table(summary))
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
