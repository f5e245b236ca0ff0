"""Administrators run the site's consultations: create one from a framework file (validated and
previewed before anything is saved), edit its texts and privacy notice, its phases and what
each allows, and its objectives. Every change is in the audit log."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import ValidationError

from consult import db
from consult.accounts.auth import role_required
from consult.admin.forms import (
    PRIVACY_HINTS,
    ConfirmForm,
    DefaultConsultationForm,
    ObjectiveForm,
    PhasesForm,
    TextsForm,
    UploadForm,
)
from consult.framework import administration, consultations, phases, services, uploads
from consult.framework.context import find_default
from consult.framework.models import Consultation
from consult.framework.schema import FrameworkSpec
from consult.notifications import services as notifications

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _consultation(slug: str) -> Consultation:
    return consultations.by_slug(db.session(), slug) or abort(404)


def _said(text: uploads.Text) -> str:
    return _(text.message, **text.params)


@bp.get("/")
@role_required("admin")
def index():
    return _index(_default_form())


def _default_form() -> DefaultConsultationForm:
    form = DefaultConsultationForm()
    form.slug.choices = [(c.slug, c.title) for c in consultations.listed(db.session())]
    if not form.is_submitted():
        current = find_default()
        form.slug.data = current.slug if current is not None else None
    return form


def _index(form: DefaultConsultationForm, status: int = 200):
    page = render_template(
        "admin/index.html",
        consultations=consultations.listed(db.session()),
        default=find_default(),
        default_form=form,
    )
    return page, status


@bp.post("/predefinita")
@role_required("admin")
def set_default():
    """Choose the default consultation (stored; the configuration only gives the first one)."""
    form = _default_form()
    if not form.validate_on_submit():
        return _index(form, 422)
    consultation = consultations.by_slug(db.session(), form.slug.data) or abort(404)
    administration.set_default(
        db.session(),
        consultation,
        configured=current_app.config["CONSULTATION_SLUG"],
        actor_id=current_user.id,
    )
    g.pop("consult_default_consultation", None)
    g.pop("consult_link_slug", None)
    flash(_("Consultazione predefinita: «%(title)s».", title=consultation.title), "success")
    return redirect(url_for(".index"), 303)


@bp.route("/consultazioni/nuova", methods=["GET", "POST"])
@role_required("admin")
def create():
    """Upload a framework file; answer with its problems, or a preview to confirm."""
    form = UploadForm()
    if not form.is_submitted():
        return render_template("admin/upload.html", form=form)
    upload = request.files.get("framework")
    if not form.validate() or upload is None or not upload.filename:
        form.framework.errors = [_("Scegli il file del quadro da caricare.")]
        return render_template("admin/upload.html", form=form), 422
    try:
        spec = uploads.read(upload.read(uploads.MAX_BYTES + 1), upload.filename)
    except uploads.UploadError as error:
        problems = [(_said(p.position), p.field, _said(p.message)) for p in error.problems]
        page = render_template("admin/upload.html", form=form, problems=problems)
        return page, 422
    return _preview(spec)


def _preview(spec: FrameworkSpec, error: str | None = None, status: int = 200):
    missing = spec.consultation is None
    taken = not missing and consultations.by_slug(db.session(), spec.consultation.slug)  # type: ignore[union-attr]
    confirm = ConfirmForm(formdata=None, spec=spec.model_dump_json())
    page = render_template(
        "admin/preview.html",
        spec=spec,
        form=confirm,
        missing=missing,
        taken=bool(taken),
        error=error,
    )
    return page, status


@bp.post("/consultazioni/nuova/conferma")
@role_required("admin")
def confirm():
    """Save the previewed framework: validated again, since the page sent it back."""
    form = ConfirmForm()
    try:
        spec = FrameworkSpec.model_validate_json(form.spec.data or "")
    except ValidationError:
        abort(400)
    if not form.validate() or spec.consultation is None:
        return _preview(spec, _("La richiesta non è valida: ricarica la pagina e riprova."), 400)
    try:
        consultation = administration.create(db.session(), spec, actor_id=current_user.id)
    except administration.SlugTaken:
        return _preview(spec, _("Esiste già una consultazione con questo indirizzo."), 409)
    flash(_("Consultazione creata: controlla le fasi e apri quella delle proposte."), "success")
    return redirect(url_for(".phases_page", slug=consultation.slug), 303)


@bp.route("/consultazioni/<slug>", methods=["GET", "POST"])
@role_required("admin")
def edit(slug: str):
    consultation = _consultation(slug)
    form = TextsForm() if request.method == "POST" else TextsForm(formdata=None, obj=consultation)
    if form.validate_on_submit():
        administration.update_texts(
            db.session(), consultation, form.values(), actor_id=current_user.id
        )
        flash(_("Testi della consultazione salvati."), "success")
        return redirect(url_for(".edit", slug=slug), 303)
    status = 422 if form.is_submitted() else 200
    page = render_template(
        "admin/edit.html", consultation=consultation, form=form, hints=PRIVACY_HINTS
    )
    return page, status


@bp.route("/consultazioni/<slug>/fasi", methods=["GET", "POST"])
@role_required("admin")
def phases_page(slug: str):
    consultation = _consultation(slug)
    session = db.session()
    stored = services.phases(session, consultation.id or 0)
    if request.method == "POST":
        form = PhasesForm()
    else:
        form = PhasesForm(formdata=None, data={"phases": [_phase_data(p) for p in stored]})
        form.phases.append_entry()  # a blank row for a new phase
    if request.method == "POST" and form.validate():
        administration.save_phases(session, consultation, form.rows(), actor_id=current_user.id)
        notifications.release_held(session)  # answers held back go out if now public
        flash(_("Fasi salvate."), "success")
        return redirect(url_for(".phases_page", slug=slug), 303)
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "admin/phases.html",
        consultation=consultation,
        form=form,
        today=phases.today(),
        open_now={
            what: phases.allows(session, consultation.id or 0, what) for what in phases.ALLOWANCES
        },
    )
    return page, status


def _phase_data(phase) -> dict:
    data = {name: getattr(phase, name) for name in ("name", "description", "starts_on", "ends_on")}
    data |= {flag: getattr(phase, flag) for flag in phases.ALLOWANCES.values()}
    return data


@bp.route("/consultazioni/<slug>/obiettivi", methods=["GET", "POST"])
@role_required("admin")
def objectives(slug: str):
    """Every objective as its own small form, edited in place."""
    consultation = _consultation(slug)
    session = db.session()
    objectives_list = services.objectives(session, consultation.framework_id)
    failed: tuple[int, ObjectiveForm] | None = None
    if request.method == "POST":
        chosen = request.form.get("objective", "")
        objective = (
            administration.objective_of(session, consultation, int(chosen))
            if chosen.isascii() and chosen.isdigit() and len(chosen) < 10
            else None
        )
        if objective is None:
            abort(404)
        form = ObjectiveForm(prefix=f"o{objective.id}")
        if form.validate():
            administration.update_objective(
                session, objective, form.values(), actor_id=current_user.id
            )
            flash(_("Obiettivo «%(code)s» salvato.", code=objective.code), "success")
            return redirect(url_for(".objectives", slug=slug) + f"#obiettivo-{objective.id}", 303)
        failed = (objective.id or 0, form)
    forms = []
    for objective in objectives_list:
        if failed is not None and failed[0] == objective.id:
            forms.append((objective, failed[1]))  # keeps what was typed, with its errors
            continue
        blank = ObjectiveForm(
            formdata=None,
            prefix=f"o{objective.id}",
            title=objective.title,
            description=objective.description,
            keywords=", ".join(objective.keywords or []),
        )
        forms.append((objective, blank))
    page = render_template("admin/objectives.html", consultation=consultation, forms=forms)
    return page, 422 if failed is not None else 200
