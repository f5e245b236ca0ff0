"""The moderation queue of a live session: approve first, then the projector shows it."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session

from consult import db
from consult.accounts.auth import role_required
from consult.analysis import live_classification
from consult.common.forms import clean_text
from consult.common.numbers import parse_ids, parse_int
from consult.live import events as live_events
from consult.live import moderation
from consult.live import runtime as live_runtime
from consult.live import services as live_sessions
from consult.meetings.access import managed_session
from consult.meetings.models import LiveSession, WorkingGroup
from consult.meetings.services import stored_id
from consult.proposals.models import Contribution

bp = Blueprint("moderation", __name__, url_prefix="/facilitatore/sessioni")

TABS = ("pending", "published", "rejected", "merged")
ACTIONS = ("approva", "rifiuta", "correggi", "evidenzia", "discussa")


def _error_messages() -> dict[str, str]:
    return {
        "reason": _("Indica il motivo del rifiuto: chi ha scritto lo potrà leggere."),
        "state": _("Questa azione non è possibile per una proposta in questo stato."),
        "target": _("Scegli un'altra proposta della stessa consultazione con cui unirla."),
        "action": _("Azione sconosciuta."),
        "flag": _("Azione sconosciuta."),
    }


def _item(live: LiveSession, contribution_id: int) -> Contribution:
    item = moderation.session_item(db.session(), stored_id(live), contribution_id)
    if item is None:
        abort(404)
    return item


def _announce(live: LiveSession, kind: str, ids: list[int]) -> None:
    """Tell projectors and queues once the change is committed; `actor` lets the acting
    facilitator's own queue leave it alone (its page already shows the new state)."""
    live_events.publish_after_commit(
        db.session(),
        live_runtime.broker(),
        live_events.session_channel(stored_id(live)),
        {"type": kind, "ids": ids, "actor": current_user.id},
    )


def _group(session_db: Session, live: LiveSession) -> WorkingGroup | None:
    """The working group named by `?gruppo=` (its own queue), None for the whole session."""
    group_id = parse_int(request.args.get("gruppo", ""), 0)
    if not group_id:
        return None
    return live_sessions.get_group(session_db, stored_id(live), group_id) or abort(404)


def _queue_context(session_db: Session, live: LiveSession, status: str) -> dict:
    live_id = stored_id(live)
    group = _group(session_db, live)
    group_id = stored_id(group) if group is not None else None
    items = moderation.queue(session_db, live_id, status, group_id=group_id)
    return {
        "live": live,
        "status": status,
        "tabs": TABS,
        "items": items,
        "group": group,
        "scope": {"gruppo": group_id} if group_id else {},
        "counts": live_sessions.counts_by_status(session_db, live_id, group_id),
        "reports": moderation.open_reports(session_db, [stored_id(c) for c in items]),
        "groups": {g.id: g.name for g in live_sessions.working_groups(session_db, live_id)},
    }


@bp.get("/<int:session_id>/moderazione")
@role_required("facilitator")
def queue(session_id: int):
    live, meeting = managed_session(session_id)
    live_classification.warm(db.session(), meeting.consultation_id)
    status = request.args.get("stato", "pending")
    if status not in TABS:
        status = "pending"
    context = _queue_context(db.session(), live, status)
    if request.headers.get("HX-Request") and request.args.get("frammento"):
        response = render_template("moderation/_queue.html", **context)
    else:
        response = render_template("moderation/queue.html", meeting=meeting, **context)
    return response, 200, {"Vary": "HX-Request"}


@bp.get("/<int:session_id>/moderazione/eventi")
@role_required("facilitator")
def queue_events(session_id: int):
    """Server-Sent Events telling the queue page to refresh (at most twice a second), except
    after this facilitator's own actions."""
    live, _meeting = managed_session(session_id)
    me = current_user.id

    def render(events: list) -> str | None:
        # A facilitator's own approvals are already shown on their page ("Approvata" on the
        # item): refreshing at once would pull the item from under their finger. New proposals
        # and the other facilitators' actions refresh it.
        others = [e for e in events if e.get("actor") != me]
        if not others:
            return None
        return live_runtime.sse_event("queue", str(len(others)))

    return live_runtime.event_stream(
        live_events.session_channel(stored_id(live)),
        render,
        coalesce=0.5,
        still_allowed=live_runtime.signed_in_check(),
    )


ACTION_RULE = "/<int:session_id>/proposte/<int:contribution_id>/<any({}):action>".format(
    ", ".join(ACTIONS)
)


@bp.post(ACTION_RULE)
@role_required("facilitator")
def act(session_id: int, contribution_id: int, action: str):
    live, _meeting = managed_session(session_id)
    item = _item(live, contribution_id)
    session_db, actor = db.session(), current_user.id
    try:
        if action == "approva":
            moderation.approve(session_db, item, actor_id=actor)
        elif action == "rifiuta":
            moderation.reject(
                session_db,
                item,
                actor_id=actor,
                reason=clean_text(request.form.get("reason")) or "",
            )
        elif action == "correggi":
            moderation.correct(
                session_db, item, actor_id=actor, text=clean_text(request.form.get("text")) or ""
            )
        else:
            flag = "highlighted" if action == "evidenzia" else "discussed"
            moderation.set_flag(
                session_db, item, actor_id=actor, flag=flag, value=request.form.get("value") == "1"
            )
    except moderation.ModerationError as error:
        return _refused(live, item, error)
    _announce(live, action, [stored_id(item)])
    return _done(live, item)


def _refused(live: LiveSession, item: Contribution, error: moderation.ModerationError):
    message = _(error.message) if error.message else _error_messages()[error.code]
    if request.headers.get("HX-Request"):
        return render_template(
            "moderation/_item.html", live=live, item=item, error=message, reports={}, groups={}
        ), 422
    _live, meeting = managed_session(stored_id(live))
    context = _queue_context(db.session(), live, request.args.get("stato", "pending"))
    return render_template("moderation/queue.html", meeting=meeting, error=message, **context), 422


def _done(live: LiveSession, item: Contribution):
    if request.headers.get("HX-Request"):
        return render_template(
            "moderation/_item.html", live=live, item=item, reports={}, groups={}, done=True
        )
    stato = request.args.get("stato", "pending")
    return redirect(url_for("moderation.queue", session_id=live.id, stato=stato), 303)


@bp.post("/<int:session_id>/moderazione/blocco")
@role_required("facilitator")
def bulk(session_id: int):
    live, _meeting = managed_session(session_id)
    ids = parse_ids(request.form.getlist("ids"))
    items = moderation.session_items(db.session(), stored_id(live), ids)
    action = {"approva": "approve", "rifiuta": "reject"}.get(request.form.get("action", ""))
    if not items or action is None:
        flash(_("Seleziona almeno una proposta e un'azione."), "error")
        return redirect(url_for("moderation.queue", session_id=live.id), 303)
    try:
        done = moderation.bulk(
            db.session(),
            items,
            actor_id=current_user.id,
            action=action,
            reason=clean_text(request.form.get("reason")) or "",
        )
    except moderation.ModerationError as error:
        flash(_error_messages()[error.code], "error")
        return redirect(url_for("moderation.queue", session_id=live.id), 303)
    _announce(live, action, [stored_id(c) for c in items])
    flash(_("Proposte aggiornate: %(num)d.", num=done), "success")
    return redirect(url_for("moderation.queue", session_id=live.id), 303)


@bp.route("/<int:session_id>/proposte/<int:contribution_id>/unisci", methods=["GET", "POST"])
@role_required("facilitator")
def merge(session_id: int, contribution_id: int):
    """Fold a duplicate into another proposal, chosen among the suggested near-duplicates."""
    live, meeting = managed_session(session_id)
    item = _item(live, contribution_id)
    session_db = db.session()
    error = None
    if request.method == "POST":
        target_id = request.form.get("target", "")
        target = (
            moderation.get_contribution(session_db, parse_int(target_id, 0))
            if parse_int(target_id, 0)
            else None
        )
        if target is None:
            error = _error_messages()["target"]
        else:
            try:
                moderation.merge(session_db, item, target, actor_id=current_user.id)
            except moderation.ModerationError as failure:
                error = _error_messages()[failure.code]
            else:
                _announce(live, "merge", [stored_id(item), stored_id(target)])
                flash(_("Proposte unite."), "success")
                return redirect(url_for("moderation.queue", session_id=live.id), 303)
    candidates = moderation.duplicate_candidates(
        session_db, item, encoder=current_app.config["CONSULT_EMBEDDINGS"]
    )
    return render_template(
        "moderation/merge.html",
        live=live,
        meeting=meeting,
        item=item,
        candidates=candidates,
        error=error,
    ), (422 if error else 200)
