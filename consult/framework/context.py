"""The consultation a request is about: the one web-side lookup every view uses."""

from flask import abort, current_app

from consult import db
from consult.framework import consultations
from consult.framework.models import Consultation


def find_current() -> Consultation | None:
    """The consultation the site presents, or None when none is loaded yet."""
    return consultations.current(db.session(), current_app.config["CONSULTATION_SLUG"])


def current_consultation(*, missing: int = 404) -> Consultation:
    """The consultation the site presents; `missing` (404 or 503) when none is loaded."""
    consultation = find_current()
    if consultation is None:
        abort(missing)
    return consultation
