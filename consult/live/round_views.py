"""The facilitator's controls of the phones: feed and supports switches, rounds and polls."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from consult import db
from consult.accounts.auth import role_required
from consult.common.forms import clean_text
from consult.common.numbers import parse_int
from consult.live import events as live_events
from consult.live import phones as live_phones
from consult.live import polls, priorities, vote_exports
from consult.live import runtime as live_runtime
from consult.live import services as live_sessions
from consult.live.session_views import render_session
from consult.meetings.access import managed_session
from consult.meetings.export_views import XLSX_MIME, attachment
from consult.meetings.models import LiveSession
from consult.meetings.services import stored_id

bp = Blueprint("live_rounds", __name__, url_prefix="/facilitatore/sessioni")


def round_messages() -> dict[str, str]:
    return {
        "session-closed": _("La sessione è chiusa: non si possono aprire turni."),
        "method": _("Scegli come si vota: punti da distribuire o le tre preferite."),
        "points": _("I punti per telefono vanno da 1 a 100."),
        "group": _("Scegli un gruppo di questa sessione."),
        "already-open": _("C'è già un turno aperto per questo gruppo: chiudilo prima."),
    }


def _back(live: LiveSession):
    return redirect(url_for("live_sessions.live_session", session_id=live.id) + "#priorita", 303)


def _announce(live: LiveSession, kind: str) -> None:
    live_events.publish_after_commit(
        db.session(),
        live_runtime.broker(),
        live_events.session_channel(stored_id(live)),
        {"type": kind},
    )


@bp.post("/<int:session_id>/telefoni")
@role_required("facilitator")
def switches(session_id: int):
    """Turn the phones' feed and supports on or off."""
    live, _meeting = managed_session(session_id)
    live_phones.set_switches(
        db.session(),
        live,
        feed_enabled=request.form.get("feed") == "1",
        supports_enabled=request.form.get("supports") == "1",
        actor_id=current_user.id,
    )
    _announce(live, "switches")
    flash(_("Impostazioni dei telefoni aggiornate."), "success")
    return redirect(url_for("live_sessions.live_session", session_id=live.id), 303)


@bp.post("/<int:session_id>/priorita")
@role_required("facilitator")
def open_round(session_id: int):
    live, meeting = managed_session(session_id)
    session_db = db.session()
    group_id = parse_int(request.form.get("group", ""), 0)
    groups = {g.id: g for g in live_sessions.working_groups(session_db, stored_id(live))}
    if group_id and group_id not in groups:
        return render_session(live, meeting, 422, round_messages()["group"])
    try:
        priorities.open_round(
            session_db,
            live,
            actor_id=current_user.id,
            method=request.form.get("method", ""),
            points=parse_int(request.form.get("points", ""), 0, minimum=0),
            group=groups.get(group_id),
        )
    except priorities.BallotError as refused:
        return render_session(live, meeting, 422, round_messages()[refused.code])
    _announce(live, "round")
    flash(_("Turno di priorità aperto: i telefoni possono votare."), "success")
    return _back(live)


def _round(live: LiveSession, round_id: int):
    return priorities.get_round(db.session(), stored_id(live), round_id) or abort(404)


@bp.post("/<int:session_id>/priorita/<int:round_id>/chiudi")
@role_required("facilitator")
def close_round(session_id: int, round_id: int):
    live, _meeting = managed_session(session_id)
    round_ = _round(live, round_id)
    tally = priorities.close_round(db.session(), round_, actor_id=current_user.id)
    _announce(live, "round")
    message = ngettext(
        "Turno chiuso: ha votato %(num)d telefono. Il risultato è congelato.",
        "Turno chiuso: hanno votato %(num)d telefoni. Il risultato è congelato.",
        tally.voters,
    )
    flash(message, "success")
    return _back(live)


@bp.get("/<int:session_id>/priorita/<int:round_id>/risultato.<any(csv, xlsx, json):fmt>")
@role_required("facilitator")
def export_round(session_id: int, round_id: int, fmt: str):
    """A frozen round's result; an open round has none yet (404)."""
    live, _meeting = managed_session(session_id)
    round_ = _round(live, round_id)
    if round_.status != "closed":
        abort(404)
    tally = priorities.tally(db.session(), round_)
    return _download(
        f"priorita-{live.code}-turno-{round_.id}.{fmt}",
        fmt,
        lambda: vote_exports.round_csv(tally),
        lambda: vote_exports.round_xlsx(tally),
        lambda: vote_exports.round_json(round_, tally, _group_name(live, round_.working_group_id)),
    )


def _group_name(live: LiveSession, group_id: int | None) -> str | None:
    groups = live_sessions.working_groups(db.session(), stored_id(live))
    return next((g.name for g in groups if g.id == group_id), None)


def _download(name: str, fmt: str, as_csv, as_xlsx, as_json):
    if fmt == "csv":
        return attachment(as_csv(), "text/csv; charset=utf-8", name)
    if fmt == "xlsx":
        return attachment(as_xlsx(), XLSX_MIME, name)
    return attachment(as_json(), "application/json", name)


def poll_messages() -> dict[str, str]:
    return {
        "session-closed": _("La sessione è chiusa: non si possono aprire sondaggi."),
        "kind": _("Scegli il tipo di sondaggio."),
        "question": _("Scrivi la domanda (al massimo 300 caratteri)."),
        "options": _("Scrivi da 2 a 10 risposte diverse, una per riga."),
        "group": _("Scegli un gruppo di questa sessione."),
        "already-open": _("C'è già un sondaggio aperto per questo gruppo: chiudilo prima."),
    }


@bp.post("/<int:session_id>/sondaggi")
@role_required("facilitator")
def open_poll(session_id: int):
    live, meeting = managed_session(session_id)
    session_db = db.session()
    group_id = parse_int(request.form.get("group", ""), 0)
    groups = {g.id: g for g in live_sessions.working_groups(session_db, stored_id(live))}
    if group_id and group_id not in groups:
        return render_session(live, meeting, 422, poll_error=poll_messages()["group"])
    try:
        polls.open_poll(
            session_db,
            live,
            actor_id=current_user.id,
            kind=request.form.get("kind", ""),
            question=clean_text(request.form.get("question")) or "",
            options=(clean_text(request.form.get("options")) or "").splitlines(),
            group=groups.get(group_id),
        )
    except polls.PollError as refused:
        return render_session(live, meeting, 422, poll_error=poll_messages()[refused.code])
    _announce(live, "poll")
    flash(_("Sondaggio aperto: i telefoni possono rispondere."), "success")
    return redirect(url_for("live_sessions.live_session", session_id=live.id) + "#sondaggi", 303)


def _poll(live: LiveSession, poll_id: int):
    return polls.get_poll(db.session(), stored_id(live), poll_id) or abort(404)


@bp.post("/<int:session_id>/sondaggi/<int:poll_id>/chiudi")
@role_required("facilitator")
def close_poll(session_id: int, poll_id: int):
    live, _meeting = managed_session(session_id)
    result = polls.close_poll(db.session(), _poll(live, poll_id), actor_id=current_user.id)
    _announce(live, "poll")
    message = ngettext(
        "Sondaggio chiuso: ha risposto %(num)d telefono.",
        "Sondaggio chiuso: hanno risposto %(num)d telefoni.",
        result.voters,
    )
    flash(message, "success")
    return redirect(url_for("live_sessions.live_session", session_id=live.id) + "#sondaggi", 303)


@bp.get("/<int:session_id>/sondaggi/<int:poll_id>/risultato.<any(csv, xlsx, json):fmt>")
@role_required("facilitator")
def export_poll(session_id: int, poll_id: int, fmt: str):
    """A closed poll's frozen result; an open poll has none yet (404)."""
    live, _meeting = managed_session(session_id)
    poll = _poll(live, poll_id)
    if poll.status != "closed":
        abort(404)
    result = polls.result(db.session(), poll)
    return _download(
        f"sondaggio-{live.code}-{poll.id}.{fmt}",
        fmt,
        lambda: vote_exports.poll_csv(result),
        lambda: vote_exports.poll_xlsx(result),
        lambda: vote_exports.poll_json(poll, result, _group_name(live, poll.working_group_id)),
    )
