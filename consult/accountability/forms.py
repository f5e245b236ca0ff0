"""Forms of the author's private pages."""

from flask_wtf import FlaskForm


class AttachForm(FlaskForm):
    """Attach a proposal to the signed-in account (a button: only the CSRF token)."""
