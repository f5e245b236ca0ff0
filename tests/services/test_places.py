"""Italian place phrases from the territory data."""

import pytest

from consult.framework.places import article_for, italian_place


@pytest.mark.parametrize(
    ("name", "stated", "kind", "where", "from_where"),
    [
        ("Asti", None, "province", "ad Asti", "da Asti"),
        ("Alessandria", None, "province", "ad Alessandria", "da Alessandria"),
        ("Biella", None, "province", "a Biella", "da Biella"),
        ("Città metropolitana di Torino", None, "province",
         "nella Città metropolitana di Torino", "dalla Città metropolitana di Torino"),
        ("Verbano-Cusio-Ossola", "il", "province", "nel Verbano-Cusio-Ossola",
         "dal Verbano-Cusio-Ossola"),
        ("Ambito Torino Nord-Ovest", None, "ambito", "nell'Ambito Torino Nord-Ovest",
         "dall'Ambito Torino Nord-Ovest"),
        ("Distretto di Casale Monferrato", None, "distretto", "nel Distretto di Casale Monferrato",
         "dal Distretto di Casale Monferrato"),
        ("Piemonte", "il", "region", "in Piemonte", "dal Piemonte"),
        ("Marche", "le", "region", "nelle Marche", "dalle Marche"),
        ("Valli di Lanzo", None, "ambito", "nelle Valli di Lanzo", "dalle Valli di Lanzo"),
    ],
)  # fmt: skip
def test_place_phrases(name, stated, kind, where, from_where):
    article = article_for(name, stated=stated)
    assert italian_place("in", name, article=article, kind=kind) == where
    assert italian_place("da", name, article=article, kind=kind) == from_where


def test_a_stated_article_wins_even_when_empty():
    assert article_for("Provincia Granda", stated="") == ""
    assert article_for("Provincia Granda") == "la"
    assert article_for("") == ""
