"""What a phone does in the room besides proposing: the feed, supports, priorities ballots.

No account: the phone is its signed cookie (`live.web`). Every POST carries the CSRF token;
a forged or missing cookie stores nothing and the phone gets a fresh identity to try again.
"""

import secrets
from contextlib import nullcontext

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlmodel import Session
from werkzeug.wrappers import Response as WsgiResponse

from consult import db
from consult.common.numbers import parse_int
from consult.extensions import limiter
from consult.framework import phases
from consult.framework.context import participation_closed
from consult.live import events as live_events
from consult.live import phones as live_phones
from consult.live import polls, priorities
from consult.live import runtime as live_runtime
from consult.live import services as live_sessions
from consult.live.feed_views import QUIET_EVENTS, PhoneFeed
from consult.live.web import phone_identity, phone_key, set_phone_cookie
from consult.meetings import services as meetings
from consult.meetings.models import LiveSession

bp = Blueprint("live_phone", __name__)


def _tap_limit() -> str:
    return current_app.config["LIVE_TAP_RATE_LIMIT"]


def _room_limit() -> str:
    return current_app.config["LIVE_ROOM_RATE_LIMIT"]


def ballot_messages() -> dict[str, str]:
    return {
        "round-closed": _("Questo turno di priorità è chiuso: il voto non è più possibile."),
        "too-many-points": _("Hai assegnato più punti di quelli disponibili."),
        "negative": _("I punti non possono essere negativi."),
        "unknown": _("Puoi votare solo le proposte approvate di questo turno."),
        "empty": _("Assegna almeno un punto o scegli almeno una proposta."),
        "duplicate": _("Hai scelto la stessa proposta più di una volta."),
        "picks": _("Scegli le proposte in ordine: prima, seconda, terza."),
        "invalid": _("Scrivi i punti come numeri interi."),
    }


def _order() -> str:
    order = request.args.get("ordine", "sostegno")
    return order if order in live_phones.FEED_ORDERS else "sostegno"


def phone_context(session_db: Session, live: LiveSession, identity: str | None) -> dict:
    """The phone page's live parts: the feed (if on), the open rounds, the groups."""
    live_id = meetings.stored_id(live)
    groups = live_sessions.working_groups(session_db, live_id)
    group_id = parse_int(request.args.get("gruppo", ""), 0)
    if group_id not in {g.id for g in groups}:
        group_id = 0
    feed_html = None
    if live.feed_enabled:  # the render the room's streams share, with this phone's supports
        phone = _phone_feed(live_id, identity, group_id)
        feed_html = phone.render(lambda: nullcontext(session_db), [], generate_csrf())
    return {
        "feed_html": Markup(feed_html or ""),
        "order": _order(),
        "group_id": group_id,
        "groups": groups,
        "group_names": {g.id: g.name for g in groups},
        "open_rounds": [r for r in priorities.rounds(session_db, live_id) if r.status == "open"],
        "open_polls": [p for p in polls.polls(session_db, live_id) if p.status == "open"],
    }


def _phone_feed(live_id: int, identity: str | None, group_id: int) -> PhoneFeed:
    """This phone's view of the room's feed, sharing renders until the room next changes."""
    channel, events_broker = live_events.session_channel(live_id), live_runtime.broker()
    return PhoneFeed(
        live_id,
        identity,
        group_id,
        _order(),
        changed_at=lambda: events_broker.last_event_at(channel, QUIET_EVENTS),
    )


def _room(code: str) -> LiveSession:
    """An open session by its exact code; a closed one answers 410, an unknown one 404, and
    while no running phase allows live sessions the phone is told so (409 for a tap or a vote:
    nothing is stored)."""
    live = live_sessions.by_code(db.session(), code)
    if live is None or live.code != code:
        abort(404)
    if live.status != "open":
        abort(410)
    meeting = meetings.get_meeting(db.session(), live.meeting_id) or abort(404)
    if not phases.allows(db.session(), meeting.consultation_id, "live"):
        abort(current_app.make_response(participation_closed(live=True)))
    return live


def _announce(live: LiveSession, kind: str, **fields) -> None:
    live_events.publish_after_commit(
        db.session(),
        live_runtime.broker(),
        live_events.session_channel(meetings.stored_id(live)),
        {"type": kind, **fields},
    )


@bp.get("/live/<code>/bacheca/eventi")
def feed_events(code: str):
    """Server-Sent Events: this phone's feed, re-sent whenever the room's feed changes."""
    live = _room(code)
    if not live.feed_enabled:
        abort(404)
    live_id, engine = meetings.stored_id(live), db.engine()
    group_id = parse_int(request.args.get("gruppo", ""), 0)
    phone = _phone_feed(live_id, phone_identity(), group_id)

    def session_factory() -> Session:
        return Session(engine, expire_on_commit=False)

    def render(events: list) -> bytes | None:
        return phone.sse(session_factory, events)

    return live_runtime.event_stream(
        live_events.session_channel(live_id),
        render,
        coalesce=0.5,
        refresh_every=60.0,
        ignore=QUIET_EVENTS,
    )


@bp.post("/live/<code>/proposte/<int:contribution_id>/sostieni")
@limiter.limit(_tap_limit, key_func=phone_key)
@limiter.limit(_room_limit)
def support(code: str, contribution_id: int):
    """Support a proposal of the feed once per phone; a double tap answers the same."""
    live = _room(code)
    session_db = db.session()
    item = live_phones.feed_contribution(session_db, live, contribution_id) or abort(404)
    identity = phone_identity()
    back = url_for("live.session_form", code=live.code, ordine=_order()) + f"#proposta-{item.id}"
    if identity is None:  # a forged or dropped cookie: nothing stored, a fresh identity given
        message = _("Non riconosciamo questo telefono: tocca di nuovo «Sostieni».")
        response: WsgiResponse
        if request.headers.get("HX-Request"):
            page = _feed_item(session_db, live, contribution_id, None, message)
            response = current_app.make_response((page, 403))
        else:
            flash(message, "error")
            response = redirect(back, 303)
        set_phone_cookie(response, secrets.token_urlsafe(16))
        return response
    outcome = live_phones.support(session_db, live, item, identity)
    if outcome is live_phones.SupportOutcome.CLOSED:
        message, status = _("Il sostegno alle proposte non è attivo in questo momento."), 409
    elif outcome is live_phones.SupportOutcome.ADDED:
        # `by` lets the supporting phone's own stream mark it without reading the database
        _announce(
            live,
            "support",
            id=item.id,
            by=live_phones.phone_hash(meetings.stored_id(live), identity),
        )
        message, status = _("Grazie: hai sostenuto questa proposta."), 200
    else:
        message, status = _("Sostieni già questa proposta."), 200
    if request.headers.get("HX-Request"):
        return _feed_item(session_db, live, contribution_id, identity, message), status
    flash(message, "success" if status == 200 else "error")
    return redirect(back, 303)


def _feed_item(
    session_db: Session, live: LiveSession, item_id: int, identity: str | None, message: str
) -> str:
    """One proposal of the feed as this phone sees it, with the answer to its tap."""
    feed = live_phones.feed(session_db, live, identity)
    entry = next((f for f in feed if f.contribution.id == item_id), None)
    return render_template("live/_feed_item.html", live=live, entry=entry, message=message)


@bp.route("/live/<code>/priorita/<int:round_id>", methods=["GET", "POST"])
@limiter.limit(_tap_limit, key_func=phone_key, methods=["POST"])
@limiter.limit(_room_limit, methods=["POST"])
def ballot(code: str, round_id: int):
    """A phone's ballot: N points to spread, or its top 3; changeable until the round closes."""
    live = _room(code)
    session_db = db.session()
    round_ = priorities.get_round(session_db, meetings.stored_id(live), round_id) or abort(404)
    identity = phone_identity()
    token = identity or secrets.token_urlsafe(16)
    error, typed, status = None, None, 200
    if request.method == "POST":
        typed = _typed_ballot(round_)
        if identity is None:
            error, status = _("Non riconosciamo questo telefono: premi di nuovo «Vota»."), 422
        else:
            try:
                allocations = _allocations(round_, typed)
                priorities.cast(session_db, live, round_, identity, allocations)
            except priorities.BallotError as refused:
                error = ballot_messages()[refused.code]
                status = 409 if refused.code == "round-closed" else 422
            else:
                _announce(live, "ballot", round=round_.id)
                flash(_("Il tuo voto è registrato: puoi cambiarlo fino alla chiusura."), "success")
                response: WsgiResponse = redirect(
                    url_for("live_phone.ballot", code=live.code, round_id=round_.id), 303
                )
                set_phone_cookie(response, token)
                return response
    current = priorities.phone_ballot(session_db, live, round_, identity)
    page = render_template(
        "live/ballot.html",
        live=live,
        round=round_,
        candidates=priorities.candidates(session_db, round_),
        group_names={
            g.id: g.name for g in live_sessions.working_groups(session_db, meetings.stored_id(live))
        },
        current=current,
        typed=typed,
        error=error,
        picks=range(1, priorities.TOP_PICKS + 1),
    )
    response = current_app.make_response((page, status))
    set_phone_cookie(response, token)
    return response


def _typed_ballot(round_) -> dict[str, str]:
    """What the phone sent, as typed, so a refused ballot is shown again unchanged."""
    if round_.method == "top3":
        return {f"scelta-{n}": request.form.get(f"scelta-{n}", "") for n in range(1, 4)}
    return {k: v for k, v in request.form.items() if k.startswith("punti-")}


def _allocations(round_, typed: dict[str, str]) -> dict[int, int]:
    if round_.method == "top3":
        picks = [parse_int(typed[f"scelta-{n}"], 0) or None for n in range(1, 4)]
        return priorities.picks_to_allocations(picks)
    allocations: dict[int, int] = {}
    for key, raw in typed.items():
        contribution_id = parse_int(key.removeprefix("punti-"), 0)
        if not raw.strip():
            continue
        points = parse_int(raw, -1, minimum=0, maximum=10_000)
        if contribution_id == 0 or points < 0:
            raise priorities.BallotError("invalid" if points < 0 else "unknown")
        allocations[contribution_id] = points
    return allocations


def poll_messages() -> dict[str, str]:
    return {
        "poll-closed": _("Questo sondaggio è chiuso: non si può più rispondere."),
        "choice": _("Scegli tra le risposte proposte."),
        "choice-count": _("Scegli una risposta."),
        "words": _("Scrivi una o più parole."),
        "words-long": _("Al massimo 200 caratteri."),
    }


@bp.route("/live/<code>/sondaggi/<int:poll_id>", methods=["GET", "POST"])
@limiter.limit(_tap_limit, key_func=phone_key, methods=["POST"])
@limiter.limit(_room_limit, methods=["POST"])
def poll(code: str, poll_id: int):
    """A phone's answer to a quick poll; changeable until the poll closes."""
    live = _room(code)
    session_db = db.session()
    poll_ = polls.get_poll(session_db, meetings.stored_id(live), poll_id) or abort(404)
    identity = phone_identity()
    token = identity or secrets.token_urlsafe(16)
    error, status = None, 200
    typed_choices = [parse_int(raw, -1, minimum=0) for raw in request.form.getlist("scelta")]
    typed_words = request.form.get("parole", "")
    if request.method == "POST":
        if identity is None:
            error, status = _("Non riconosciamo questo telefono: premi di nuovo «Rispondi»."), 422
        else:
            try:
                polls.answer(session_db, live, poll_, identity, typed_choices, typed_words)
            except polls.PollError as refused:
                error = poll_messages()[refused.code]
                status = 409 if refused.code == "poll-closed" else 422
            else:
                _announce(live, "poll", poll=poll_.id)
                flash(_("Grazie: la tua risposta è registrata."), "success")
                response: WsgiResponse = redirect(
                    url_for("live_phone.poll", code=live.code, poll_id=poll_.id), 303
                )
                set_phone_cookie(response, token)
                return response
    current = polls.phone_answer(session_db, live, poll_, identity)
    if request.method != "POST" and current is not None:
        typed_choices, typed_words = current.choices, current.words
    page = render_template(
        "live/poll.html",
        live=live,
        poll=poll_,
        answered=current is not None,
        chosen=set(typed_choices),
        words=typed_words,
        error=error,
    )
    response = current_app.make_response((page, status))
    set_phone_cookie(response, token)
    return response
