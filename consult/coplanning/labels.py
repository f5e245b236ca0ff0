"""The words shown for the states of versions and amendments."""

from flask_babel import lazy_gettext as _l

VERSION_STATUS_LABELS = {
    "bozza": _l("Bozza"),
    "in-consultazione": _l("In consultazione"),
    "approvata": _l("Approvata"),
    "superata": _l("Superata da una versione successiva"),
}
AMENDMENT_STATUS_LABELS = {
    "in-valutazione": _l("In valutazione"),
    "accolto": _l("Accolto"),
    "accolto-con-modifiche": _l("Accolto con modifiche"),
    "non-accolto": _l("Non accolto"),
}
