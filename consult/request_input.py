"""Request input the database can always hold: no NUL characters.

PostgreSQL refuses NUL (0x00) in every text value, so one ``%00`` in a query string or form
field used to answer 500. Browsers never send it from a keyboard: forms lose it silently
(nothing a person typed is lost), a query string carrying it is refused with a clear 400.
"""

from typing import Any

from flask import Request, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict

from consult.common.errors import render_error

NUL = "\x00"


class NulFreeRequest(Request):
    """A request whose form fields never contain NUL."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form: ImmutableMultiDict[str, Any] = self.__dict__["form"]
        if any(NUL in key or NUL in value for key, value in form.items(multi=True)):
            self.__dict__["form"] = ImmutableMultiDict(
                (key.replace(NUL, ""), value.replace(NUL, ""))
                for key, value in form.items(multi=True)
            )


def refuse_nul_in_query() -> Any:
    """Before every request: a query string with NUL cannot name anything stored."""
    if NUL in request.query_string.decode("latin-1") or any(
        NUL in key or NUL in value for key, value in request.args.items(multi=True)
    ):
        return render_error(400, _("L'indirizzo contiene caratteri non validi."))
    return None
