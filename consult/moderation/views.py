"""The moderation desk at /moderazione: one page for every item that waits for a moderator."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from consult import db
from consult.common.forms import clean_text
from consult.common.numbers import parse_int
from consult.extensions import login_manager
from consult.framework.context import current_consultation, find_current
from consult.live.moderation import REASON_MAX
from consult.moderation import desk
from consult.proposals.models import Comment, Contribution

bp = Blueprint("desk", __name__, url_prefix="/moderazione")
BULK_LIMIT = 200  # items one submit may name


@bp.before_request
def desk_staff_only():
    """Moderators, facilitators (for their meetings) and admins; others log in or are refused."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.has_role(*desk.DESK_ROLES):
        abort(403)
    return None


@bp.app_context_processor
def waiting_items() -> dict:
    """`desk_waiting()` for the staff navigation: counted only when a page shows the link."""

    def count() -> int:
        consultation = find_current()
        if consultation is None or not current_user.is_authenticated:
            return 0
        session = db.session()
        return desk.waiting_count(
            session, desk.scope_for(session, current_user, consultation.id or 0)
        )

    return {"desk_waiting": count}


def _error_messages() -> dict[str, str]:
    return {
        "reason": _("Indica il motivo del rifiuto: chi ha scritto lo potrà leggere."),
        "state": _("Questa azione non è possibile per un contenuto in questo stato."),
        "action": _("Scegli un'azione: approva, rifiuta, ripristina o conferma come nascosto."),
        "missing": _("Seleziona almeno un contenuto della coda."),
    }


def _decision_labels() -> dict[str, str]:
    """What each audited step is called in the desk's history (the rest keep their code)."""
    return {
        "approve": _("approvata"),
        "reject": _("rifiutata"),
        "correct": _("corretta"),
        "merge": _("unita a un'altra"),
        "reports-hidden": _("nascosta dopo le segnalazioni"),
        "reports-kept": _("lasciata pubblicata dopo le segnalazioni"),
        "hidden-by-reports": _("nascosta dalle segnalazioni"),
        "highlighted.on": _("in evidenza"),
        "highlighted.off": _("tolta dall'evidenza"),
        "discussed.on": _("discussa"),
        "discussed.off": _("non più discussa"),
    }


def _scope() -> desk.Scope:
    return desk.scope_for(db.session(), current_user, current_consultation().id or 0)


def _render(status: int = 200, *, reason: str = "", selected: frozenset[str] = frozenset()):
    return (
        render_template(
            "desk/page.html",
            desk=desk.desk(db.session(), _scope()),
            reason=reason,
            selected=selected,
            reason_max=REASON_MAX,
            decision_labels=_decision_labels(),
        ),
        status,
    )


@bp.get("")
def page():
    return _render()


def _targets(raws: list[str], scope: desk.Scope) -> list[Contribution | Comment] | None:
    """The items named `proposta-<id>` or `commento-<id>`; None when one is not on this desk."""
    targets: list[Contribution | Comment] = []
    for raw in dict.fromkeys(raws[:BULK_LIMIT]):
        kind, _sep, number = raw.partition("-")
        item_id = parse_int(number, 0)
        target = desk.target_of(db.session(), kind, item_id, scope) if kind in desk.KINDS else None
        if target is None:
            return None
        targets.append(target)
    return targets


@bp.post("")
def decide():
    """One decision on the selected items (one, or many with the checkboxes)."""
    action = request.form.get("azione", "")
    reason = (clean_text(request.form.get("motivo", "")) or "")[:REASON_MAX]
    raws = request.form.getlist("voce")
    scope = _scope()
    targets = _targets(raws, scope)
    if targets is None:
        abort(404)
    messages = _error_messages()
    if not targets:
        flash(messages["missing"], "danger")
        return _render(422, reason=reason)
    try:
        if len(targets) == 1:
            desk.decide(db.session(), targets[0], action, actor_id=current_user.id, reason=reason)
            done = 1
        else:
            done = desk.bulk(db.session(), targets, action, actor_id=current_user.id, reason=reason)
    except desk.DeskError as error:
        flash(messages.get(error.code, messages["action"]), "danger")
        return _render(422, reason=reason, selected=frozenset(raws))
    flash(ngettext("%(num)d contenuto deciso.", "%(num)d contenuti decisi.", done), "success")
    skipped = len(targets) - done
    if skipped:
        flash(
            ngettext(
                "%(num)d contenuto saltato: il suo stato non lo permette.",
                "%(num)d contenuti saltati: il loro stato non lo permette.",
                skipped,
            ),
            "warning",
        )
    return redirect(url_for(".page"), 303)
