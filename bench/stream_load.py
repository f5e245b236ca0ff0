"""Load on live event streams, shared by tests/load/test_live_streams.py and bench/live_streams.py.

asyncio clients on raw sockets, so that one process holds thousands of connections: SSE streams
that note when each event arrives, slow clients that dribble their headers a byte at a time,
idle connections that send nothing, and probes timing ordinary pages meanwhile. Slow and idle
clients connect again as soon as the server drops them, so their pressure lasts the whole run.
Loopback only; every loop ends with the run.
"""

import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.live_session import Facilitator, Participant, Results

ROOT = Path(__file__).resolve().parent.parent

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
HEADER_BYTES = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4000 + b"\r\n\r\n"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank), NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _request(path: str, host: str, cookie: str | None, *, close: bool) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Accept: */*"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass
class Stream:
    """One SSE client: its response status and when each marked event arrived."""

    status: int | None = None
    arrivals: list[float] = field(default_factory=list)
    ended_by_server: bool = False
    ready: asyncio.Event = field(default_factory=asyncio.Event)


async def hold_stream(host: str, port: int, path: str, cookie: str, marker: bytes, s: Stream):
    """Open `path` and read it until cancelled, counting the `marker`s it receives."""
    writer = None
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(_request(path, f"{host}:{port}", cookie, close=False))
        head = await reader.readuntil(b"\r\n\r\n")
        s.status = int(head.split()[1])
        s.ready.set()
        if s.status != 200:
            return
        tail = b""
        while chunk := await reader.read(65536):
            now = time.perf_counter()
            data = tail + chunk  # the tail is shorter than the marker: nothing counted twice
            s.arrivals.extend([now] * data.count(marker))
            tail = data[-(len(marker) - 1) :]
        s.ended_by_server = True
    except (OSError, asyncio.IncompleteReadError, ValueError):
        s.status = s.status or 0
        s.ready.set()
    finally:
        if writer is not None:
            writer.close()


@dataclass
class Pest:
    """Slow or idle clients: how many connections they made, and how long the server kept each."""

    connections: int = 0
    kept_seconds: list[float] = field(default_factory=list)


async def _pester(host: str, port: int, stop_at: float, pest: Pest, dribble: float | None):
    """Connect, then send one header byte every `dribble` seconds (None: never send anything);
    when the server drops the connection, note how long it lasted and connect again."""
    while (now := time.perf_counter()) < stop_at:
        writer = None
        try:
            reader, writer = await asyncio.open_connection(host, port)
            pest.connections += 1
            opened, sent = now, 0
            while (left := stop_at - time.perf_counter()) > 0:
                try:
                    await asyncio.wait_for(reader.read(1024), min(left, dribble or left))
                except TimeoutError:
                    if dribble is None:
                        break
                    writer.write(HEADER_BYTES[sent : sent + 1])
                    sent += 1
                    continue
                # Closed, or answered (an error for a half-sent request): dropped either way.
                pest.kept_seconds.append(time.perf_counter() - opened)
                break
        except OSError:
            await asyncio.sleep(0.1)
        finally:
            if writer is not None:
                writer.close()


async def fetch(host: str, port: int, path: str) -> tuple[int, float]:
    """GET `path` on a new connection, as a new visitor would: (status, seconds)."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(_request(path, f"{host}:{port}", None, close=True))
        body = await reader.read()  # to the end: the server closes after answering
        status = int(body.split(maxsplit=2)[1]) if body else 0
    finally:
        writer.close()
    return status, time.perf_counter() - started


@dataclass
class Load:
    """What to hold open, for how long, and how to publish an event (a blocking call)."""

    host: str
    port: int
    stream_path: str
    cookie: str
    publish: Callable[[], None]
    marker: bytes = b"event: "
    streams: int = 300
    slow: int = 30
    idle: int = 200
    publishes: int = 4
    seconds: float = 20.0
    pages: tuple[str, ...] = ("/", "/c/piemonte-2018/proposte/nuova")
    dribble_seconds: float = 4.0
    event_wait_seconds: float = 15.0
    open_wait_seconds: float = 60.0
    page_timeout_seconds: float = 10.0


@dataclass
class Report:
    open_seconds: float
    stream_statuses: Counter
    page_seconds: dict[str, list[float]]
    page_statuses: Counter
    # One list per publish: each stream's seconds from publishing to receiving (None: never).
    deliveries: list[list[float | None]]
    publish_failures: list[str]
    slow: Pest
    idle: Pest
    streams_ended_by_server: int

    def delivered(self) -> list[float]:
        return [d for publish in self.deliveries for d in publish if d is not None]

    def missed(self) -> int:
        return sum(d is None for publish in self.deliveries for d in publish)

    def summary(self) -> dict:
        pages = {
            path: {
                "count": len(times),
                "p50_ms": round(1000 * statistics.median(times), 1) if times else None,
                "p95_ms": round(1000 * percentile(times, 95), 1),
                "max_ms": round(1000 * max(times), 1) if times else None,
            }
            for path, times in self.page_seconds.items()
        }
        delivered = self.delivered()
        return {
            "streams_open_seconds": round(self.open_seconds, 2),
            "stream_statuses": dict(self.stream_statuses),
            "pages": pages,
            "page_statuses": dict(self.page_statuses),
            "publishes": len(self.deliveries),
            "publish_failures": self.publish_failures,
            "deliveries": len(delivered),
            "missed": self.missed(),
            "delivery_p50_ms": round(1000 * statistics.median(delivered), 1) if delivered else None,
            "delivery_p95_ms": round(1000 * percentile(delivered, 95), 1),
            "delivery_max_ms": round(1000 * max(delivered), 1) if delivered else None,
            "slow_connections": self.slow.connections,
            "slow_dropped": len(self.slow.kept_seconds),
            "slow_kept_max_s": round(max(self.slow.kept_seconds, default=0), 1),
            "idle_connections": self.idle.connections,
            "idle_dropped": len(self.idle.kept_seconds),
            "idle_kept_max_s": round(max(self.idle.kept_seconds, default=0), 1),
            "streams_ended_by_server": self.streams_ended_by_server,
        }


async def _open_streams(load: Load, streams: list[Stream], tasks: list[asyncio.Task]) -> float:
    """Open the streams in batches (the listen backlog is finite); seconds until all answered.

    A server that stops answering (a threaded one out of threads) gets `open_wait_seconds` per
    batch; the streams it never answered keep no status and the run goes on without them."""
    started = time.perf_counter()
    for first in range(0, len(streams), 100):
        batch = streams[first : first + 100]
        for s in batch:
            coroutine = hold_stream(
                load.host, load.port, load.stream_path, load.cookie, load.marker, s
            )
            tasks.append(asyncio.create_task(coroutine))
        waiting = asyncio.gather(*(s.ready.wait() for s in batch))
        try:
            await asyncio.wait_for(waiting, timeout=load.open_wait_seconds)
        except TimeoutError:
            break
    return time.perf_counter() - started


async def _probe_pages(load: Load, stop_at: float, seconds: dict, statuses: Counter) -> None:
    while time.perf_counter() < stop_at:
        for path in load.pages:
            try:
                fetching = fetch(load.host, load.port, path)
                status, elapsed = await asyncio.wait_for(fetching, load.page_timeout_seconds)
            except (OSError, TimeoutError) as error:
                statuses[type(error).__name__] += 1
                seconds[path].append(load.page_timeout_seconds)  # counted, at the timeout
                continue
            statuses[status] += 1
            seconds[path].append(elapsed)
        await asyncio.sleep(0.05)


async def _publish_all(load: Load, streams: list[Stream], stop_at: float, failures: list):
    """Publish `load.publishes` events spread over the run; time each one's arrival on every
    open stream. A publish that fails (the server did not take the proposal) is noted."""
    deliveries = []
    spacing = max(1.0, (stop_at - time.perf_counter() - 2) / max(load.publishes, 1))
    open_streams = [s for s in streams if s.status == 200]
    for _ in range(load.publishes):
        before = [len(s.arrivals) for s in open_streams]
        published = time.perf_counter()
        try:
            await asyncio.to_thread(load.publish)
        except Exception as error:  # reported in the summary; the run goes on
            failures.append(repr(error))
            continue
        deadline = published + load.event_wait_seconds
        while time.perf_counter() < deadline:
            pairs = zip(open_streams, before, strict=True)
            if all(len(s.arrivals) > seen for s, seen in pairs):
                break
            await asyncio.sleep(0.05)
        deliveries.append(
            [
                s.arrivals[seen] - published if len(s.arrivals) > seen else None
                for s, seen in zip(open_streams, before, strict=True)
            ]
        )
        await asyncio.sleep(max(0.0, published + spacing - time.perf_counter()))
    return deliveries


async def run(load: Load) -> Report:
    """Open the streams, then for `load.seconds` keep slow and idle clients on the server while
    probing pages and publishing events; close everything and report."""
    if load.host not in LOOPBACK:
        raise ValueError(f"refusing to load {load.host}: only this machine is a target")
    streams = [Stream() for _ in range(load.streams)]
    tasks: list[asyncio.Task] = []
    try:
        open_seconds = await _open_streams(load, streams, tasks)
        stop_at = time.perf_counter() + load.seconds
        slow, idle = Pest(), Pest()
        for index in range(max(load.slow, load.idle)):
            if index < load.slow:
                pester = _pester(load.host, load.port, stop_at, slow, load.dribble_seconds)
                tasks.append(asyncio.create_task(pester))
            if index < load.idle:
                tasks.append(
                    asyncio.create_task(_pester(load.host, load.port, stop_at, idle, None))
                )
            if index % 50 == 49:
                await asyncio.sleep(0.01)
        await asyncio.sleep(1.0)  # slow and idle clients in place before anything is measured
        page_seconds: dict[str, list[float]] = {path: [] for path in load.pages}
        page_statuses: Counter = Counter()
        probes = asyncio.create_task(_probe_pages(load, stop_at, page_seconds, page_statuses))
        failures: list[str] = []
        deliveries = await _publish_all(load, streams, stop_at, failures)
        await probes
        await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
        return Report(
            open_seconds=open_seconds,
            stream_statuses=Counter(s.status for s in streams),
            page_seconds=page_seconds,
            page_statuses=page_statuses,
            deliveries=deliveries,
            publish_failures=failures,
            slow=slow,
            idle=idle,
            streams_ended_by_server=sum(s.ended_by_server for s in streams),
        )
    finally:
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks, return_exceptions=True)


def make_serve_command(port: int, workers: int) -> list[str]:
    """gunicorn exactly as `make serve` runs it (its recipe, gunicorn.conf.py), on 127.0.0.1."""
    recipe = (ROOT / "Makefile").read_text().split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "--config gunicorn.conf.py" in recipe, "make serve no longer runs gunicorn.conf.py"
    return [
        str(Path(sys.executable).parent / "gunicorn"),
        "--config",
        "gunicorn.conf.py",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "wsgi:app",
    ]


def gthread_command(port: int, workers: int, threads: int = 32) -> list[str]:
    """The threaded server `make serve` ran before the streams moved to gevent (the baseline)."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    threaded = ["--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads)]
    return [gunicorn, *threaded, "--no-control-socket", "--bind", f"127.0.0.1:{port}", "wsgi:app"]


@contextlib.contextmanager
def serving(port: int, env: dict[str, str], command: list[str]) -> Iterator[str]:
    """Run the server `command` with `env` added; yield its URL once it listens."""
    log = open(env.get("CONSULT_BENCH_LOG", os.devnull), "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    try:
        _wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def _wait_for_port(port: int, server: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on 127.0.0.1:{port} within {seconds:.0f} s")


def free_port(low: int, high: int) -> int:
    """A port of [low, high] that nothing listens on."""
    for port in range(low, high + 1):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port in {low}-{high}")


def queue_stream(base: str, code: str, email: str, password: str) -> tuple[str, str]:
    """Sign the facilitator in: (the cookie header, the session's moderation stream path)."""
    facilitator = Facilitator(base, code, email, password)
    cookie = "; ".join(f"{name}={value}" for name, value in facilitator.client.cookies.items())
    facilitator.client.close()
    prefix = "/c/piemonte-2018"  # the demo's consultation: its pages live under its prefix
    return cookie, f"{prefix}/facilitatore/sessioni/{facilitator.session_id}/moderazione/eventi"


def phone_publisher(base: str, code: str) -> Callable[[], None]:
    """Each call: a new phone submits a proposal in the room, which publishes a live event."""
    results = Results()
    numbers = iter(range(1_000_000))

    def publish() -> None:
        phone = Participant(base, code, "streams", next(numbers), results)
        try:
            phone.submit(double_tap=False)
        finally:
            phone.client.close()
        if results.errors:
            raise RuntimeError(results.errors[-1])

    return publish
