"""The old address of the reports queue (nested in `engagement`): reports are decided at the
moderation desk now, with the pending proposals and the hidden items."""

from flask import Blueprint, redirect, url_for

bp = Blueprint("reports", __name__, url_prefix="/facilitatore/segnalazioni")


@bp.get("")
def queue():
    """Bookmarks of the old queue land on the desk (which checks who may see it)."""
    return redirect(url_for("desk.page"), 301)
