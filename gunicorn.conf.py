"""gunicorn settings of `make serve`: gevent workers, so live event streams cost no thread.

Server-Sent Events streams (projector, moderation queue, phone feeds) stay open as long as their
page does. A threaded worker spends a thread on each, and 32 streams (or 32 slow clients) were
enough to leave no thread for the pages. A gevent worker holds every connection as a greenlet:
thousands of open streams and idle sockets cost memory, not threads, and a page never waits for
them. psycopg 3 and redis-py cooperate with gevent's monkey-patching on their own.

Every value can be set from the environment (see README, "Production serving").
"""

import os
import resource


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _is_sqlite(database_url: str) -> bool:
    """The embedded default (no DATABASE_URL) is SQLite too."""
    return not database_url or database_url.startswith("sqlite")


def choose_workers(environ: dict) -> int:
    """Worker processes by default: two only where they can share the work safely.

    Live events cross processes only through Redis, so without REDIS_URL one worker serves
    everything. SQLite serves one worker even with Redis: when one process holds its write lock,
    sqlite3's busy handler sleeps in C in the other and blocks that worker's whole event loop, so
    2,000 phones submitting got a worker killed by the heartbeat (bench/README.md, session 8).
    """
    if _is_sqlite(environ.get("DATABASE_URL") or ""):
        return 1
    return int(environ.get("WORKERS") or 0) or (2 if environ.get("REDIS_URL") else 1)


def on_starting(server) -> None:
    """Cap an explicit `--workers`/WORKERS above 1 on SQLite to one, saying why."""
    if _is_sqlite(os.environ.get("DATABASE_URL") or "") and server.num_workers > 1:
        server.log.warning(
            "WORKERS=%s ignored: SQLite serves one gevent worker (a second one blocks on "
            "SQLite's write lock); use PostgreSQL to serve more.",
            server.num_workers,
        )
        server.num_workers = 1


worker_class = "gevent"
workers = choose_workers(dict(os.environ))
# Open connections one worker holds at once: streams, idle keep-alive sockets, pages.
worker_connections = _int("CONSULT_WORKER_CONNECTIONS", 10000)
# gevent workers bound each request's header read by the keep-alive time: a client that sits
# idle, or dribbles its headers (slowloris), is disconnected after this many seconds.
keepalive = _int("CONSULT_KEEPALIVE_SECONDS", 5)
# A worker whose event loop is blocked this long (a runaway request) is restarted.
timeout = _int("CONSULT_WORKER_TIMEOUT", 30)
graceful_timeout = _int("CONSULT_GRACEFUL_TIMEOUT", 10)
# No gunicornc control socket: its default path is per user, so two servers on one machine
# (staging beside production, a bench beside the site) would fight over it.
control_socket_disable = True


def _raise_open_files_limit(wanted: int) -> None:
    """Each connection is a file descriptor: lift the soft limit towards what the workers hold."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


_raise_open_files_limit(worker_connections + 1024)
