"""Live event streams never starve the site: the server as `make serve` runs it, under pressure.

gunicorn with gunicorn.conf.py (gevent workers) on 127.0.0.1 over the demo data. While 300 SSE
streams are open, 30 clients dribble their headers a byte every 4 s and 200 connections sit idle
(both reconnecting whenever dropped), the home page and the proposal form must answer with a p95
under 300 ms, every stream must receive every event published meanwhile, and the slow and idle
clients must be cut after the keep-alive time. Then the per-address cap: the stream past it gets
a 429, and a stream the client leaves gives its slot back within a heartbeat.
"""

import asyncio
import time

import httpx
import pytest

from bench import stream_load

STREAMS, SLOW, IDLE = 300, 30, 200
KEEPALIVE_SECONDS = 5  # gunicorn.conf.py's default: the test changes no serving setting
HEARTBEAT_SECONDS = 2
PAGE_P95_SECONDS = 0.3
FACILITATOR, PASSWORD = "facilitatore@example.org", "consult-demo"  # the demo's account


@pytest.fixture
def demo_database(app):
    """The app fixture's database (SQLite file or TEST_DATABASE_URL) filled with the demo."""
    result = app.test_cli_runner().invoke(args=["demo", "--no-themes"])
    assert result.exit_code == 0, result.output
    assert "/live/DEMA42" in result.output
    app.extensions["consult.engine"].dispose()
    return app.config["DATABASE_URL"]


@pytest.fixture
def server(demo_database, tmp_path):
    env = {
        "DATABASE_URL": demo_database,
        "SECRET_KEY": "live-streams-secret",
        "CONSULT_MODEL_DIR": str(tmp_path / "models"),
        "CONSULT_EMBEDDINGS": "lsa",
        "CONSULT_LIVE_STREAMS_PER_ADDRESS": str(STREAMS),
        "CONSULT_LIVE_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
        "CONSULT_BENCH_LOG": str(tmp_path / "gunicorn.log"),
    }
    env.pop("REDIS_URL", None)
    port = stream_load.free_port(8150, 8199)
    command = stream_load.make_serve_command(port, workers=1)
    with stream_load.serving(port, env, command) as base:
        yield base, port


def test_pages_answer_and_every_stream_gets_its_events_while_streams_and_pests_hold_on(server):
    base, port = server
    cookie, path = stream_load.queue_stream(
        base, "DEMA42", "facilitatore@example.org", "consult-demo"
    )
    load = stream_load.Load(
        host="127.0.0.1",
        port=port,
        stream_path=path,
        cookie=cookie,
        publish=stream_load.phone_publisher(base, "DEMA42"),
        marker=b"event: queue",
        streams=STREAMS,
        slow=SLOW,
        idle=IDLE,
        publishes=3,
        seconds=16.0,
    )
    report = asyncio.run(stream_load.run(load))
    summary = report.summary()
    print(summary)
    assert report.stream_statuses == {200: STREAMS}, summary
    for page, times in report.page_seconds.items():
        assert len(times) >= 20, (page, summary)
        assert stream_load.percentile(times, 95) < PAGE_P95_SECONDS, (page, summary)
    assert set(report.page_statuses) == {200}, summary
    assert len(report.deliveries) == 3 and report.missed() == 0, summary
    # Slow and idle clients were cut after the keep-alive time, and kept reconnecting.
    assert len(report.slow.kept_seconds) >= SLOW and len(report.idle.kept_seconds) >= IDLE, summary
    assert max(report.slow.kept_seconds + report.idle.kept_seconds) < KEEPALIVE_SECONDS + 3
    assert min(report.slow.kept_seconds) > KEEPALIVE_SECONDS - 1, summary
    assert report.streams_ended_by_server == 0, summary


def test_the_stream_past_the_per_address_cap_is_refused_and_a_left_one_frees_its_slot(server):
    base, port = server
    cookie, path = stream_load.queue_stream(
        base, "DEMA42", "facilitatore@example.org", "consult-demo"
    )

    async def scenario() -> tuple[list, int, int]:
        streams = [stream_load.Stream() for _ in range(STREAMS + 1)]
        tasks = []
        for s in streams:
            hold = stream_load.hold_stream("127.0.0.1", port, path, cookie, b"event: ", s)
            tasks.append(asyncio.create_task(hold))
            await asyncio.wait_for(s.ready.wait(), timeout=30)
        statuses = [s.status for s in streams]
        tasks[0].cancel()  # one client leaves: the server notices at its next heartbeat
        deadline = time.monotonic() + HEARTBEAT_SECONDS + 10
        again = stream_load.Stream()
        while time.monotonic() < deadline:
            again = stream_load.Stream()
            tasks.append(
                asyncio.create_task(
                    stream_load.hold_stream("127.0.0.1", port, path, cookie, b"event: ", again)
                )
            )
            await asyncio.wait_for(again.ready.wait(), timeout=30)
            if again.status == 200:
                break
            await asyncio.sleep(0.5)
        # Full again: the refusal says why, in the user's language, and when to retry.
        refused = await asyncio.to_thread(httpx.get, base + path, headers={"Cookie": cookie})
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return statuses, again.status or 0, refused

    statuses, reopened, refused = asyncio.run(scenario())
    assert statuses[:STREAMS] == [200] * STREAMS
    assert statuses[STREAMS] == 429
    assert reopened == 200
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
    assert "Troppe connessioni aperte da questo indirizzo" in refused.text
