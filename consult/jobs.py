"""Background jobs: where a job function runs (in-process thread, RQ worker or inline).

Features hand `enqueue` a module-level function and its arguments; it always runs inside an
application context: the thread's is the web app's, an RQ worker builds one from the
environment (`consult.worker.run`), so a worker needs nothing but the environment.
"""

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)
DEFAULT_QUEUE = "consult-analysis"
# Short jobs that must not wait behind an analysis (account e-mails); workers take it first.
MAIL_QUEUE = "consult-mail"
DEFAULT_TIMEOUT = 3 * 3600
WORKER_ENTRY = "consult.worker.run"


def job_path(function: Callable[..., Any]) -> str:
    """The "module:name" an RQ worker imports to find `function`."""
    return f"{function.__module__}:{function.__qualname__}"


def enqueue(
    app: Flask,
    function: Callable[..., Any],
    *args: Any,
    name: str,
    timeout: int = DEFAULT_TIMEOUT,
    queue_name: str = DEFAULT_QUEUE,
) -> Any:
    """Hand a job to the configured executor (`ANALYSIS_EXECUTOR`: thread, rq or inline).

    Returns the RQ job (whose status a caller may follow), or None with the other executors.
    """
    executor = app.config["ANALYSIS_EXECUTOR"]
    if executor == "rq":
        return queue(app, queue_name).enqueue(
            WORKER_ENTRY, job_path(function), *args, job_timeout=timeout
        )
    if executor == "inline":
        function(*args)
    else:
        start_native_thread(_run_in_app_context, (app, function, args), name=name)
    return None


def start_native_thread(target: Callable[..., Any], args: tuple, *, name: str) -> None:
    """Run `target(*args)` on an operating-system thread, also in a gevent worker.

    `make serve` runs gevent workers, whose monkey-patching turns `threading.Thread` into a
    greenlet: a CPU-bound job (a theme fit takes minutes) would hold the worker's event loop for
    its whole run and stall every page and live stream. gevent's thread pool runs it on a real
    thread instead, which shares the interpreter with the loop like any thread does.
    """
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("threading"):
        import gevent

        gevent.get_hub().threadpool.spawn(target, *args)
        return
    threading.Thread(target=target, args=args, daemon=True, name=name).start()


def on_commit(session: Session, start: Callable[[], None]) -> None:
    """Call `start` (which enqueues a job) once `session` commits; never if it rolls back.

    A job runs in another session (a thread, a worker): it must find the rows the request
    wrote, so it starts only after the request's one commit, and not at all for a request
    that fails and rolls back.
    """
    pending = [True]

    def after_commit(committed: Session) -> None:
        if pending and committed.get_nested_transaction() is None:  # not a savepoint
            pending.clear()
            start()

    def after_transaction_end(_session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:  # the outer transaction ended: committed or rolled back
            pending.clear()

    event.listen(session, "after_commit", after_commit)
    event.listen(session, "after_transaction_end", after_transaction_end)


def _run_in_app_context(app: Flask, function: Callable[..., Any], args: tuple) -> None:
    with app.app_context():
        function(*args)


def queue(app: Flask, queue_name: str = DEFAULT_QUEUE):
    """The RQ queue `queue_name` on the app's Redis."""
    from redis import Redis
    from rq import Queue

    return Queue(queue_name, connection=Redis.from_url(app.config["REDIS_URL"]))
