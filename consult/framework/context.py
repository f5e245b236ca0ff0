"""The consultation a request is about: the one web-side lookup every view uses.

A consultation's pages live under ``/c/<slug>/``; the prefix is taken off the path before
routing (``consult.consultation_urls``) and left in the WSGI environ under ``SLUG_KEY``. Site-wide
pages (accounts, administration) and requests to the old unprefixed addresses carry no slug:
they are about the default consultation (``CONSULT_CONSULTATION``, else the first active one).
"""

from flask import abort, current_app, g, has_request_context, render_template, request

from consult import db
from consult.framework import consultations
from consult.framework.models import Consultation

SLUG_KEY = "consult.consultation_slug"
# The SCRIPT_NAME the request arrived with, before the consultation's prefix was added to it.
ROOT_KEY = "consult.site_root"


def requested_slug() -> str | None:
    """The slug in the request's ``/c/<slug>/`` prefix, or None outside any consultation."""
    return request.environ.get(SLUG_KEY) if has_request_context() else None


def find_default() -> Consultation | None:
    """The site's default consultation, or None when none is loaded yet."""
    if "consult_default_consultation" not in g:
        slug = current_app.config["CONSULTATION_SLUG"]
        if has_request_context():
            g.consult_default_consultation = consultations.current(db.session(), slug)
        else:  # a job or command building links: no request session would ever close this one
            with db.standalone_session() as session:
                g.consult_default_consultation = consultations.current(session, slug)
    return g.consult_default_consultation


def default_slug() -> str | None:
    consultation = find_default()
    return consultation.slug if consultation is not None else None


def find_current() -> Consultation | None:
    """The consultation named by the request's prefix, else the default one; None if none."""
    slug = requested_slug()
    if slug is None:
        return find_default()
    if g.get("consult_consultation_slug") != slug:
        g.consult_consultation = consultations.by_slug(db.session(), slug)
        g.consult_consultation_slug = slug
    return g.consult_consultation


def current_consultation(*, missing: int = 404) -> Consultation:
    """The request's consultation; `missing` (404 or 503) when none is loaded, 404 for a slug
    that names none."""
    consultation = find_current()
    if consultation is None:
        abort(missing if requested_slug() is None else 404)
    return consultation


def require_here(consultation_id: int | None) -> None:
    """404 unless a row of `consultation_id` belongs to the request's consultation: an id or a
    code from another consultation names nothing under this one's prefix."""
    if consultation_id != current_consultation().id:
        abort(404)


def slug_of(consultation_id: int) -> str | None:
    """The slug of another consultation, to send a visitor to its own pages."""
    consultation = consultations.by_id(db.session(), consultation_id)
    return consultation.slug if consultation is not None else None


def participation_closed(*, live: bool = False):
    """The page a participation form shows once its phase is over (409 when something was
    sent: nothing is stored)."""
    status = 409 if request.method == "POST" else 200
    page = render_template(
        "public/participation_closed.html", consultation=current_consultation(), live=live
    )
    return page, status
