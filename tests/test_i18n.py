"""Every user-facing string goes through translation and has an English version."""

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from consult.config import ROOT

CATALOG = ROOT / "consult" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _source_messages() -> set:
    found = set()
    for folder, method in (("consult", "python"), ("templates", "jinja2")):
        extracted = extract_from_dir(
            ROOT / folder,
            method_map=[("**.py", "python")] if method == "python" else [("**.html", "jinja2")],
            keywords=KEYWORDS,
        )
        for _filename, _line, message, _comments, _context in extracted:
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_english_catalog_translates_every_string_in_the_source():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(_source_messages() - translated)
    assert missing == [], f"run `make messages` and translate: {missing}"
