"""Italian place phrases from the territory data: "ad Asti", "nella Città metropolitana di
Torino", "dal Verbano-Cusio-Ossola", "in Piemonte".

A territory may state its article in the framework file; when it does not, the article follows
from the name's leading noun ("Città metropolitana di ..." is feminine, "Ambito ..." takes l'),
and a bare name (a town, a province named after its town) takes none.
"""

from typing import Literal

ARTICLES = ("", "il", "lo", "la", "l'", "i", "gli", "le")
_IN = {"il": "nel", "lo": "nello", "la": "nella", "l'": "nell'", "i": "nei", "gli": "negli",
       "le": "nelle"}  # fmt: skip
_FROM = {"il": "dal", "lo": "dallo", "la": "dalla", "l'": "dall'", "i": "dai", "gli": "dagli",
         "le": "dalle"}  # fmt: skip
# Leading nouns of Italian administrative names and the article they take.
_LEADING_NOUNS = {
    "città": "la",
    "provincia": "la",
    "comunità": "la",
    "regione": "la",
    "unione": "l'",
    "ambito": "l'",
    "area": "l'",
    "asl": "l'",
    "distretto": "il",
    "consorzio": "il",
    "comune": "il",
    "territorio": "il",
    "quartiere": "il",
    "circoscrizione": "la",
    "valle": "la",
    "valli": "le",
}

Preposition = Literal["in", "da"]


def article_for(name: str, *, stated: str | None = None) -> str:
    """The article the name takes: the one the data states, else the leading noun's, else none."""
    if stated is not None:
        return stated
    first = name.split(maxsplit=1)[0].lower() if name.strip() else ""
    return _LEADING_NOUNS.get(first, "")


def italian_place(preposition: Preposition, name: str, *, article: str = "", kind: str = "") -> str:
    """`name` after "in" (where) or "da" (from where), contracted with its article.

    Regions with a singular article take a bare "in" ("in Piemonte", but "dal Piemonte")."""
    if preposition == "in":
        if not article:
            return ("ad " if name[:1].lower() == "a" else "a ") + name
        if kind == "region" and article in ("il", "lo", "la", "l'"):
            return f"in {name}"
        return _join(_IN[article], name)
    return _join(_FROM[article], name) if article else f"da {name}"


def _join(preposition: str, name: str) -> str:
    return preposition + name if preposition.endswith("'") else f"{preposition} {name}"
