"""Live event streams at room scale: 2,000 open streams, 100 slowloris and 600 idle clients.

Starts gunicorn as `make serve` does (gunicorn.conf.py; `--server gthread` starts the threaded
server main used to run, as a baseline) on 127.0.0.1 over the demo data, opens the streams (the
moderation queue's, signed in as the demo facilitator), then for `--seconds` keeps slow-header
and idle clients on the server (they reconnect whenever dropped) while it times the home page
and /proposte/nuova and publishes `--publishes` events (a phone submitting a proposal in room
DEMA42), timing each one's arrival on every stream. Loopback only, bounded in time.

    ulimit -n 65536   # if allowed: this process holds a socket per client (20,000 is plenty)
    python bench/live_streams.py                                    # SQLite, 1 worker
    python bench/live_streams.py --workers 2 --redis-url redis://127.0.0.1:6379/1 \
        --database-url postgresql://postgres@127.0.0.1:5432/consult_bench

The delivery latency runs from the start of the phone's POST to the event's arrival: it includes
the submission itself and the queue stream's 0.5 s coalescing window (the moderation queue
refreshes at most twice a second by design).
"""

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stream_load

ROOT = stream_load.ROOT
FACILITATOR, PASSWORD, CODE = "facilitatore@example.org", "consult-demo", "DEMA42"


def server_env(name: str, workdir: Path, url: str, log: str | None, redis_url: str | None) -> dict:
    """The benchmark server's environment: its database, a model folder of its own, the fast
    LSA encoder, its log and (for several workers) Redis."""
    return {
        "SECRET_KEY": f"{name}-bench",
        "DATABASE_URL": url,
        "CONSULT_MODEL_DIR": str(workdir / "models"),
        "CONSULT_EMBEDDINGS": "lsa",
        "CONSULT_BENCH_LOG": log or os.devnull,
        "REDIS_URL": redis_url or "",
    }


def prepare_database(url: str, env: dict[str, str]) -> None:
    """Migrations and the demo data (both idempotent), as `make demo` does."""
    consult = str(Path(sys.executable).parent / "consult")
    for command in (["db", "upgrade"], ["demo", "--no-themes"]):
        subprocess.run(
            [consult, *command],
            cwd=ROOT,
            env={**os.environ, **env, "DATABASE_URL": url},
            check=True,
            capture_output=True,
            timeout=600,
        )


def raise_open_files() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--redis-url", help="live events between workers (and rate limits)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--server", choices=("make-serve", "gthread"), default="make-serve")
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--slow", type=int, default=100)
    parser.add_argument("--idle", type=int, default=600)
    parser.add_argument("--publishes", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--ports", default="8100-8149", help="the range to pick a free port in")
    parser.add_argument("--log", help="write the server's log here")
    args = parser.parse_args()
    if args.seconds > 600 or args.streams > 20000:
        sys.exit("bounded: at most 600 s and 20,000 streams")
    limit = raise_open_files()
    needed = args.streams + args.slow + args.idle + 200
    if limit < needed:  # the server process has its own limit: gunicorn.conf.py raises it
        sys.exit(f"open files limit {limit} < {needed}: raise it first (`ulimit -n 65536`)")

    workdir = Path(tempfile.mkdtemp(prefix="consult-streams-"))
    url = args.database_url or f"sqlite:///{workdir / 'streams.sqlite3'}"
    env = server_env("live-streams", workdir, url, args.log, args.redis_url)
    prepare_database(url, env)
    low, high = (int(part) for part in args.ports.split("-"))
    port = stream_load.free_port(low, high)
    if args.server == "gthread":
        command = stream_load.gthread_command(port, args.workers)
    else:
        command = stream_load.make_serve_command(port, args.workers)
    with stream_load.serving(port, env, command) as base:
        cookie, path = stream_load.queue_stream(base, CODE, FACILITATOR, PASSWORD)
        load = stream_load.Load(
            host="127.0.0.1",
            port=port,
            stream_path=path,
            cookie=cookie,
            publish=stream_load.phone_publisher(base, CODE),
            marker=b"event: queue",
            streams=args.streams,
            slow=args.slow,
            idle=args.idle,
            publishes=args.publishes,
            seconds=args.seconds,
        )
        report = asyncio.run(stream_load.run(load))
    summary = {
        "server": args.server,
        "workers": args.workers,
        "database": url.split(":", 1)[0],
        "broker": "redis" if args.redis_url else "in-process",
        **report.summary(),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
