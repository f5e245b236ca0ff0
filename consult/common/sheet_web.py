"""The spreadsheet dialect's words in the language of the request (for export views)."""

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale
from flask_babel import gettext as _

from consult.common.sheet_dialect import Words


def sheet_words() -> Words:
    """Yes, no and the decimal separator of the user's language."""
    return Words(yes=_("sì"), no=_("no"), decimal=get_decimal_symbol(get_locale()))
