"""The projector: staff see approvals pushed by Server-Sent Events, with a polling fallback."""

import itertools
import threading
import time

import httpx
import pytest
from sqlmodel import select
from werkzeug.serving import make_server

from tests.consultation_client import HERE


@pytest.fixture
def room(db, auth, create_user, create_live_session, create_contribution):
    facilitator = create_user(role="facilitator")
    live = create_live_session(facilitators=[facilitator], code="PRJ234")
    auth.login(facilitator.email)

    def item(text, **fields):
        fields.setdefault("status", "pending")
        return create_contribution(
            text=text, live_session_id=live.id, meeting_id=live.meeting_id, channel="live", **fields
        )

    return live, item


def test_projector_page_shows_the_code_qr_and_sse_wiring(client, room):
    live, item = room
    item("Una proposta già approvata e visibile.", status="published", highlighted=True)
    item("Una proposta ancora in attesa di moderazione.")
    page = client.get(f"/live/{live.code}/proiettore").get_data(as_text=True)
    assert "PRJ234" in page and f"/live/{live.code}/qr.svg" in page
    assert (
        'hx-ext="sse"' in page
        and f'sse-connect="{HERE}/live/{live.code}/proiettore/eventi"' in page
    )
    assert 'sse-swap="projector"' in page and 'hx-trigger="every 5s"' in page
    assert "projector-item-highlighted" in page
    assert "Una proposta già approvata" in page
    assert "ancora in attesa" not in page
    fallback = client.get(f"/live/{live.code}/proiettore/contenuto").get_data(as_text=True)
    assert "Una proposta già approvata" in fallback and "<html" not in fallback


def _approve_later(app, live, contribution_id, cookie, delay=0.3):
    def run():
        time.sleep(delay)
        other = app.test_client()
        other.set_cookie("session", cookie.value, domain=cookie.domain)
        other.post(f"/facilitatore/sessioni/{live.id}/proposte/{contribution_id}/approva")

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_an_approval_reaches_the_projector_stream(app, client, room):
    live, item = room
    pending = item("Un trasporto a chiamata per gli anziani delle valli.")
    response = client.get(f"/live/{live.code}/proiettore/eventi", buffered=False)
    assert response.mimetype == "text/event-stream"
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry: ")
    first = next(chunks).decode()
    assert first.startswith("event: projector\n") and "trasporto a chiamata" not in first
    started = time.monotonic()
    thread = _approve_later(app, live, pending.id, client.get_cookie("session"))
    pushed = next(chunks).decode()
    elapsed = time.monotonic() - started
    thread.join()
    response.close()
    assert "event: projector" in pushed and "trasporto a chiamata" in pushed
    assert all(line.startswith(("event:", "data:")) for line in pushed.strip().splitlines())
    assert elapsed < 1.5


def test_the_stream_sends_keepalive_comments(app, client, room, monkeypatch):
    monkeypatch.setitem(app.config, "LIVE_HEARTBEAT_SECONDS", 0.05)
    live, _item = room
    response = client.get(f"/live/{live.code}/proiettore/eventi", buffered=False)
    chunks = iter(response.response)
    next(chunks), next(chunks)
    assert next(chunks) == b": keepalive\n\n"
    response.close()


def test_the_queue_stream_tells_the_page_to_refresh_but_not_after_its_own_actions(
    app, client, room, monkeypatch
):
    """A new proposal (or another facilitator's action) refreshes the queue; this facilitator's
    own approval does not: the page already shows it "Approvata", and a refresh at once would
    pull the item from under the finger."""
    from consult.live import events as live_events
    from consult.live import runtime as live_runtime

    monkeypatch.setitem(app.config, "LIVE_HEARTBEAT_SECONDS", 0.5)
    live, item = room
    pending = item("Un trasporto a chiamata per gli anziani delle valli.")
    response = client.get(f"/facilitatore/sessioni/{live.id}/moderazione/eventi", buffered=False)
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry: ")
    thread = _approve_later(app, live, pending.id, client.get_cookie("session"))
    thread.join()
    assert next(chunks) == b": keepalive\n\n"  # its own approval: nothing to refresh
    with app.app_context():
        channel = live_events.session_channel(live.id)
        live_runtime.broker().publish(channel, {"type": "submitted", "id": pending.id + 1})
    assert next(chunks).startswith(b"event: queue\n")
    with app.app_context():  # another facilitator's action
        live_runtime.broker().publish(channel, {"type": "approva", "ids": [1], "actor": -5})
    assert next(chunks).startswith(b"event: queue\n")
    response.close()


def test_a_real_http_server_streams_approvals_to_an_sse_client(app, client, room):
    """Through a threaded WSGI server and a real HTTP client, as a browser would see it."""
    live, item = room
    pending = item("Formazione comune per assistenti sociali e centri per l'impiego.")
    cookie = client.get_cookie("session")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    url = f"http://127.0.0.1:{server.server_port}{HERE}/live/{live.code}/proiettore/eventi"
    try:
        http = httpx.Client(cookies={"session": cookie.value}, headers={"Host": "localhost"})
        with http, http.stream("GET", url, timeout=5) as stream:
            assert stream.status_code == 200
            events = stream.iter_lines()
            seen = []
            for line in events:
                seen.append(line)
                if line.startswith("event: projector"):
                    break
            thread = _approve_later(app, live, pending.id, cookie, delay=0.2)
            received = ""
            for line in events:
                received += line
                if "assistenti sociali" in received:
                    break
            thread.join()
        assert "retry: 2000" in seen
        assert "assistenti sociali" in received
    finally:
        server.shutdown()
        server.server_close()


def test_projector_counts_connected_phones(app, client, room):
    """A phone counts once it comes back with its signed identity, not for every page load."""
    live, _item = room
    phones = [app.test_client() for _ in range(3)]
    for phone in phones:
        phone.get(f"/live/{live.code}")
    for _ in range(20):  # anonymous page loads without a cookie never inflate the count
        app.test_client().get(f"/live/{live.code}")
    for phone in phones:
        phone.get(f"/live/{live.code}")
    page = client.get(f"/live/{live.code}/proiettore/contenuto").get_data(as_text=True)
    assert "3 telefoni connessi" in page


@pytest.mark.parametrize("revoke", ["deactivate", "log_out_everywhere"])
@pytest.mark.parametrize(
    "path", ["/live/{code}/proiettore/eventi", "/facilitatore/sessioni/{id}/moderazione/eventi"]
)
def test_a_staff_stream_ends_once_its_account_is_revoked(
    app, client, room, db, monkeypatch, revoke, path
):
    from consult.accounts.models import User
    from consult.live import runtime as live_runtime

    monkeypatch.setitem(app.config, "LIVE_HEARTBEAT_SECONDS", 0.02)
    monkeypatch.setattr(live_runtime, "AUTH_CHECK_SECONDS", 0.02)
    live, _item = room
    response = client.get(path.format(code=live.code, id=live.id), buffered=False)
    chunks = iter(response.response)
    next(chunks), next(chunks)  # the stream runs while the account is signed in
    user = db.exec(select(User).where(User.role == "facilitator")).one()
    if revoke == "deactivate":
        user.active = False
    else:
        user.session_version += 1
    db.add(user)
    db.commit()
    rest = list(itertools.islice(chunks, 200))
    response.close()
    assert len(rest) < 200  # the generator returned instead of streaming on


def test_streams_past_the_per_address_cap_get_a_clear_429(app, client, room, monkeypatch):
    from consult.live.stream_slots import StreamSlots

    slots = StreamSlots(2)
    monkeypatch.setitem(app.extensions, "consult.live_stream_slots", slots)
    live, _item = room
    projector = f"/live/{live.code}/proiettore/eventi"
    first = client.get(projector, buffered=False)
    second = client.get(f"/facilitatore/sessioni/{live.id}/moderazione/eventi", buffered=False)
    assert first.status_code == second.status_code == 200
    refused = client.get(projector, buffered=False)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert "Troppe connessioni aperte da questo indirizzo" in refused.get_data(as_text=True)
    second.close()  # the client left: its slot is free again (closed last-in first-out,
    assert slots.open_count("127.0.0.1") == 1  # as the test client nests their contexts)
    again = client.get(projector, buffered=False)
    assert again.status_code == 200
    again.close()
    first.close()
    assert slots.open_count("127.0.0.1") == 0


def test_the_streams_of_one_account_share_one_read_of_its_sign_in(app, room, db, monkeypatch):
    from flask_login import login_user

    from consult.accounts.models import User
    from consult.live import runtime as live_runtime
    from consult.live import services as live_services

    reads = []
    real = live_services.account_still_signed_in
    monkeypatch.setattr(
        live_services, "account_still_signed_in", lambda *args: reads.append(1) or real(*args)
    )
    user = db.exec(select(User).where(User.role == "facilitator")).one()
    with app.test_request_context():
        login_user(user)
        checks = [live_runtime.signed_in_check() for _ in range(50)]
    assert all(check() for check in checks)
    assert len(reads) == 1  # fifty open streams, one query
    monkeypatch.setattr(live_runtime, "AUTH_CHECK_SECONDS", 0.0)
    assert all(check() for check in checks)
    assert len(reads) == 51  # once the answer is old, each asks again
