"""Readable, translated names for the codes stored with proposals, and small page helpers."""

from flask_babel import format_number, get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from consult.common.svg_charts import bar_chart
from consult.framework.places import Preposition, italian_place

ROLE_LABELS = {
    "cittadino": _l("Cittadina o cittadino"),
    "operatore-sociale": _l("Operatrice o operatore sociale"),
    "ente-locale": _l("Ente locale"),
    "terzo-settore": _l("Terzo settore o volontariato"),
    "sindacato": _l("Sindacato"),
    "servizio-civile": _l("Giovane in servizio civile"),
    "altro": _l("Altro"),
}
CHANNEL_LABELS = {
    "online": _l("Online"),
    "live": _l("Sessione dal vivo"),
    "meeting": _l("Incontro sul territorio"),
    "paper": _l("Su carta"),
    "import": _l("Importata"),
}
REPORT_REASON_LABELS = {
    "offensivo": _l("Offensivo o discriminatorio"),
    "spam": _l("Pubblicità o spam"),
    "dati-personali": _l("Contiene dati personali"),
    "fuori-tema": _l("Fuori tema"),
    "altro": _l("Altro motivo"),
}
PROPOSAL_STATUS_LABELS = {
    "pending": _l("In attesa di moderazione"),
    "published": _l("Pubblicata"),
    "rejected": _l("Non pubblicata"),
    "merged": _l("Unita a una proposta simile"),
    "hidden": _l("Nascosta dopo una segnalazione"),
}
RESPONSE_STATUS_LABELS = {
    "in-valutazione": _l("In valutazione"),
    "accolta": _l("Accolta"),
    "parzialmente-accolta": _l("Parzialmente accolta"),
    "non-accolta": _l("Non accolta"),
    "attuata": _l("Attuata"),
}


def labels_context() -> dict:
    """Label dictionaries for templates."""
    return {
        "channel_labels": CHANNEL_LABELS,
        "role_labels": ROLE_LABELS,
        "report_reason_labels": REPORT_REASON_LABELS,
        "response_status_labels": RESPONSE_STATUS_LABELS,
        "proposal_status_labels": PROPOSAL_STATUS_LABELS,
        "bar_chart": chart,
        "place": place,
    }


def place(preposition: Preposition, name: str, article: str = "", kind: str = "") -> str:
    """Where ("in") or from where ("da") a territory is, in the page's language: Italian
    contracts the article ("nella Città metropolitana di Torino", "ad Asti")."""
    locale = get_locale()
    if locale is None or locale.language == "it":
        return italian_place(preposition, name, article=article, kind=kind)
    return f"{'in' if preposition == 'in' else 'from'} {name}"


def chart(items: list[tuple[str, int]], title: str) -> Markup:
    """An SVG bar chart for templates (the helper escapes every label)."""
    pairs = [(str(label), value) for label, value in items]
    return Markup(bar_chart(pairs, str(title), number=format_number))


def relabel(pairs, labels: dict, missing: str = "—") -> list[tuple[str, int]]:
    """Replace codes by their translated labels in (code, count) pairs."""
    return [
        (str(labels.get(code, code if code is not None else missing)), count)
        for code, count in pairs
    ]
