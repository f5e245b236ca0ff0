"""Pages made for one signed-in person are never stored by a browser or a proxy.

A shared computer's back button, or a caching proxy in a town hall, would otherwise show a
planner's review queue or a participant's data to the next person.
"""

from flask import Response
from flask_login import current_user


def keep_private_pages_out_of_caches(response: Response) -> Response:
    """After every request: ``no-store`` on HTML answered to a signed-in account."""
    if (
        response.mimetype == "text/html"
        and "Cache-Control" not in response.headers
        and current_user
        and current_user.is_authenticated
    ):
        response.headers["Cache-Control"] = "private, no-store"
    return response
