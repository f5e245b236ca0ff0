"""Phones join a live session by code and send proposals; the room's projector shows them.

`/live` and `/live/<code>` are printed on posters: keep them stable.
"""

import io
import secrets

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlmodel import Session
from werkzeug.wrappers import Response as WsgiResponse
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from consult import db
from consult.accounts.auth import role_required
from consult.analysis import live_classification
from consult.common.errors import render_error
from consult.common.forms import clean_text, proposal_text
from consult.common.numbers import parse_int
from consult.extensions import limiter
from consult.framework import phases
from consult.framework.context import participation_closed, require_here, slug_of
from consult.framework.labels import ROLE_LABELS
from consult.live import events as live_events
from consult.live import phones as live_phones
from consult.live import runtime as live_runtime
from consult.live import services as live_sessions
from consult.live.phone_views import phone_context
from consult.live.web import phone_identity, phone_key, set_phone_cookie
from consult.meetings import services as meetings
from consult.meetings.access import may_manage
from consult.meetings.models import LiveSession, Meeting, WorkingGroup
from consult.proposals.models import PARTICIPANT_ROLES, Contribution

bp = Blueprint("live", __name__)


class JoinForm(FlaskForm):
    code = StringField(
        _l("Codice della sessione"),
        filters=[clean_text],
        validators=[DataRequired(_l("Inserisci il codice mostrato in sala.")), Length(max=20)],
        render_kw={
            "autocapitalize": "characters",
            "spellcheck": "false",
            "class": "live-code-input",
        },
    )


class LiveProposalForm(FlaskForm):
    text = TextAreaField(
        _l("La tua proposta"),
        filters=[clean_text],
        validators=[proposal_text],
    )
    territory = SelectField(_l("Territorio"), coerce=int, validators=[InputRequired()])
    participant_role = SelectField(_l("Partecipi come (facoltativo)"), validators=[Optional()])
    working_group = SelectField(_l("Gruppo di lavoro"), coerce=int, validators=[Optional()])
    consent = BooleanField(
        _l("Acconsento alla pubblicazione anonima della proposta"),
        validators=[DataRequired(_l("Serve il consenso per inviare la proposta."))],
    )
    idempotency_key = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])


@bp.route("/live", methods=["GET", "POST"])
def join():
    form = JoinForm()
    if form.validate_on_submit():
        live = live_sessions.by_code(db.session(), form.code.data)
        meeting = meetings.get_meeting(db.session(), live.meeting_id) if live else None
        if live is not None and meeting is not None:
            # a code is unique on the site: the phone goes to its session's consultation
            home = slug_of(meeting.consultation_id)
            return redirect(url_for("live.session_form", code=live.code, _consultation=home), 303)
        form.code.errors = [_("Nessuna sessione con questo codice: controlla il codice in sala.")]
    status = 422 if form.is_submitted() else 200
    return render_template("live/join.html", form=form), status


@bp.route("/live/<code>", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LIVE_PHONE_RATE_LIMIT"], key_func=phone_key, methods=["POST"]
)
@limiter.limit(lambda: current_app.config["LIVE_ROOM_RATE_LIMIT"], methods=["POST"])
def session_form(code: str):
    session_db = db.session()
    live = live_sessions.by_code(session_db, code)
    if live is None:
        form = JoinForm(formdata=None, code=code)
        form.code.errors = [_("Nessuna sessione con questo codice: controlla il codice in sala.")]
        return render_template("live/join.html", form=form), 404
    if live.code != code:
        return redirect(url_for("live.session_form", code=live.code), 301)
    meeting = meetings.get_meeting(session_db, live.meeting_id)
    if meeting is None:
        abort(404)
    require_here(meeting.consultation_id)
    if not phases.allows(session_db, meeting.consultation_id, "live"):
        return participation_closed(live=True)
    if live.status != "open":
        return render_template("live/closed.html", live=live, meeting=meeting), 410
    identity = phone_identity()
    token = identity or secrets.token_urlsafe(16)
    live_id = meetings.stored_id(live)
    form = _proposal_form(session_db, live, meeting, identity)
    if identity:  # a page load without the signed cookie is not yet a phone in the room
        live_runtime.presence().seen(live_id, identity)
    status = 200
    response: WsgiResponse  # a page (flask's Response) or a redirect (werkzeug's)
    if form.is_submitted() and identity is None:
        # No signed phone identity (a forged or dropped cookie): nothing is stored, the text is
        # kept and the phone gets its identity now, so pressing send again works.
        form.validate()
        form.text.errors = [_("Non riconosciamo questo telefono: premi di nuovo «Invia».")]
        response = current_app.make_response((_form_or_page(form, live, meeting, identity), 422))
    elif form.validate_on_submit():
        contribution, created = live_sessions.submit(session_db, live, _proposal(form, token))
        if form.consent is not None:  # asked once per session: the form had it, so record it
            live_phones.record_consent(session_db, live_id, token)
        if created:
            live_events.publish_after_commit(
                session_db,
                live_runtime.broker(),
                live_events.session_channel(live_id),
                # Published at once (publish-then-moderate) it is on the feed: not a quiet event.
                {
                    "type": "submitted" if contribution.status == "pending" else "published",
                    "id": contribution.id,
                },
            )
        if _from_htmx():
            response = _sent(form, live, contribution)
        else:  # the receipt carries the private tracking link and leads back to this form
            response = redirect(url_for("tracking.receipt", token=contribution.tracking_token), 303)
    else:
        status = 422 if form.is_submitted() else 200
        page = _form_or_page(form, live, meeting, identity)
        response = current_app.make_response((page, status))
    set_phone_cookie(response, token)
    return response


@bp.errorhandler(CSRFError)
def csrf_expired(_error):
    """A phone kept open through a long meeting: keep the typed proposal, with a fresh token."""
    message = _("La sessione è scaduta: controlla il testo e premi di nuovo «Invia».")
    code = (request.view_args or {}).get("code", "")
    live = live_sessions.by_code(db.session(), code) if code else None
    if request.endpoint != "live.session_form" or live is None or live.status != "open":
        generic = _("La sessione è scaduta o il modulo non è valido: ricarica la pagina e riprova.")
        return render_error(400, generic)
    meeting = meetings.get_meeting(db.session(), live.meeting_id) or abort(404)
    identity = phone_identity()
    form = _proposal_form(db.session(), live, meeting, identity)
    form.text.errors = [message]
    if _from_htmx():  # htmx swaps a 422: the typed text comes back with a fresh token
        return _form_or_page(form, live, meeting, identity), 422
    return _phone_page(db.session(), form, live, meeting, identity), 400


def _from_htmx() -> bool:
    """The phone's form sent by htmx: it is answered with the form's fragment, not a page."""
    return bool(request.headers.get("HX-Request"))


def _form_or_page(
    form: LiveProposalForm, live: LiveSession, meeting: Meeting, identity: str | None
) -> str:
    """The form alone for htmx (the page around it, and its feed stream, stay), else the page."""
    if _from_htmx():
        return render_template("live/_proposal_form.html", form=form, live=live)
    return _phone_page(db.session(), form, live, meeting, identity)


def _sent(
    sent_form: LiveProposalForm, live: LiveSession, contribution: Contribution
) -> WsgiResponse:
    """htmx's answer to a stored proposal: its receipt and a blank form for the next one, in
    one request; the group, territory and role chosen stay selected. The receipt links the
    private tracking page, so the answer is never cached nor sent as a referrer."""
    form = _next_form(sent_form)
    html = render_template("live/_proposal_form.html", form=form, live=live, sent=contribution)
    response = current_app.make_response(html)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    g.private_page = True  # the tracking blueprint's hook then sends no referrer
    return response


def _phone_page(
    session_db: Session,
    form: LiveProposalForm,
    live: LiveSession,
    meeting: Meeting,
    identity: str | None,
) -> str:
    """The phone's page: the proposal form, the open rounds and polls, and the room's feed."""
    return render_template(
        "live/session.html",
        form=form,
        live=live,
        meeting=meeting,
        **phone_context(session_db, live, identity),
    )


def _proposal_form(
    session_db: Session,
    live: LiveSession,
    meeting: Meeting,
    identity: str | None,
) -> LiveProposalForm:
    """The proposal form, filled from the request; a phone that consented earlier in this
    session is not asked again (the next blank form after a send: `_next_form`)."""
    form = LiveProposalForm()
    if live_phones.has_consented(session_db, meetings.stored_id(live), identity):
        del form.consent
    territories = meetings.meeting_territories(session_db, meeting)
    form.territory.choices = [SelectChoice(t.id, t.name) for t in territories]
    if not form.is_submitted():
        form.territory.data = meeting.territory_id
        form.idempotency_key.data = secrets.token_urlsafe(24)
    form.participant_role.choices = [SelectChoice("", _("Preferisco non dirlo"))] + [
        SelectChoice(role, str(ROLE_LABELS[role])) for role in PARTICIPANT_ROLES
    ]
    groups = live_sessions.working_groups(session_db, meetings.stored_id(live))
    form.working_group.choices = [SelectChoice(0, _("Nessun gruppo"))] + [
        SelectChoice(g.id, g.name) for g in groups
    ]
    if not groups:
        del form.working_group
    return form


def _next_form(sent: LiveProposalForm) -> LiveProposalForm:
    """A blank form for the phone's next proposal, built from the one just sent (its choices
    are this room's, read once per request): the group, territory and role chosen stay, and
    consent, just recorded, is not asked again."""
    form = LiveProposalForm(formdata=None)
    del form.consent
    form.idempotency_key.data = secrets.token_urlsafe(24)
    for name in ("territory", "participant_role", "working_group"):
        field = getattr(sent, name, None)
        if field is None:
            delattr(form, name)
            continue
        getattr(form, name).choices = field.choices
        getattr(form, name).data = field.data
    return form


def _proposal(form: LiveProposalForm, token: str) -> live_sessions.LiveProposal:
    group = form.working_group.data if form.working_group is not None else None
    return live_sessions.LiveProposal(
        text=form.text.data,
        territory_id=form.territory.data,
        participant_role=form.participant_role.data or None,
        working_group_id=group or None,
        idempotency_key=form.idempotency_key.data,
        join_token=token,
    )


@bp.get("/live/<code>/qr.<any(svg, png):kind>")
def qr_code(code: str, kind: str):
    """The QR code of the session's join address, for posters, slides and the projector."""
    live = live_sessions.by_code(db.session(), code) or abort(404)
    meeting = meetings.get_meeting(db.session(), live.meeting_id) or abort(404)
    require_here(meeting.consultation_id)
    url = url_for("live.session_form", code=live.code, _external=True)
    qr = segno.make(url, error="m")
    buffer = io.BytesIO()
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=10, border=2, xmldecl=False, title=url)
        mimetype = "image/svg+xml"
    else:
        qr.save(buffer, kind="png", scale=12, border=2)
        mimetype = "image/png"
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype=mimetype,
        as_attachment=request.args.get("scarica") == "1",
        download_name=f"consult-{live.code}.{kind}",
        max_age=3600,
    )


def _projected_session(code: str) -> tuple[LiveSession, Meeting, WorkingGroup | None]:
    """The session whose projector the current user may open (its facilitators and admins),
    and the working group named by `?gruppo=` (404 if it is not one of the session's)."""
    session_db = db.session()
    live = live_sessions.by_code(session_db, code) or abort(404)
    meeting = meetings.get_meeting(session_db, live.meeting_id)
    if meeting is None or not may_manage(meeting):
        abort(403)
    require_here(meeting.consultation_id)
    raw = request.args.get("gruppo", "")
    if not raw:
        return live, meeting, None
    group_id = parse_int(raw, 0)
    group = (
        live_sessions.get_group(session_db, meetings.stored_id(live), group_id)
        if group_id
        else None
    )
    return live, meeting, group or abort(404)


def projector_context(
    session_db: Session, live: LiveSession, group: WorkingGroup | None = None
) -> dict:
    """Everything the projector's live part shows: the database's state and who is connected."""
    state = live_sessions.projector_state(
        session_db, live, threshold=current_app.config["OBJECTIVE_THRESHOLD"], group=group
    )
    return {**state, "connected": live_runtime.presence().count(meetings.stored_id(live))}


@bp.get("/live/<code>/proiettore")
@role_required("facilitator")
def projector(code: str):
    live, meeting, group = _projected_session(code)
    live_classification.warm(db.session(), meeting.consultation_id)
    join_url = url_for("live.session_form", code=live.code, _external=True)
    return render_template(
        "live/projector.html",
        meeting=meeting,
        join_url=join_url,
        scope={"gruppo": group.id} if group else {},
        **projector_context(db.session(), live, group),
    )


@bp.get("/live/<code>/proiettore/contenuto")
@role_required("facilitator")
def projector_content(code: str):
    """The polling fallback: the live part of the projector as a fragment."""
    live, _meeting, group = _projected_session(code)
    return render_template(
        "live/_projector_content.html", **projector_context(db.session(), live, group)
    )


@bp.get("/live/<code>/proiettore/eventi")
@role_required("facilitator")
def projector_events(code: str):
    """Server-Sent Events: the projector's live part, re-sent whenever the session changes."""
    live, _meeting, group = _projected_session(code)
    live_id = meetings.stored_id(live)
    group_id = group.id if group else None
    engine = db.engine()

    def render(events: list) -> str | None:
        with Session(engine, expire_on_commit=False) as session_db:  # one fresh read per update
            current = live_sessions.get_live_session(session_db, live_id)
            if current is None:  # the session is gone: nothing left to show
                return None
            scope = live_sessions.get_group(session_db, live_id, group_id) if group_id else None
            html = render_template(
                "live/_projector_content.html", **projector_context(session_db, current, scope)
            )
        return live_runtime.sse_event("projector", html)

    return live_runtime.event_stream(
        live_events.session_channel(live_id),
        render,
        refresh_every=20.0,
        still_allowed=live_runtime.signed_in_check(),
        # A proposal waiting for approval changes nothing on the screen yet (one published at
        # once by publish-then-moderate comes as "published").
        ignore=frozenset({"submitted"}),
    )
