"""Italian preprocessing: lemmas, elisions, accents, stop words."""

import pytest

from nlp import ItalianPreprocessor, normalize_text


@pytest.fixture(scope="module")
def pre():
    return ItalianPreprocessor()


def test_lemmatises_domain_plurals(pre):
    assert pre.lemmas("servizi famiglie minori regolamenti fondi alloggi") == [
        "servizio",
        "famiglia",
        "minore",
        "regolamento",
        "fondo",
        "alloggio",
    ]


def test_splits_elisions_and_keeps_accents(pre):
    lemmas = pre.lemmas("Il costo dell'affitto nella città, l'assistenza e un'agevolazione")
    assert "affitto" in lemmas
    assert "assistenza" in lemmas
    assert "agevolazione" in lemmas
    assert "città" in lemmas
    assert not any("'" in lemma for lemma in lemmas)


def test_drops_generic_and_domain_stop_words(pre):
    lemmas = pre.lemmas("Chiediamo questa proposta: vorrei che bisogna e servirebbe la casa")
    assert lemmas == ["casa"]


def test_lemmatize_many_returns_joined_strings(pre):
    assert pre.lemmatize_many(["Le famiglie", "I servizi sociali"]) == [
        "famiglia",
        "servizio sociale",
    ]


def test_spacy_lookup_backend_is_pluggable():
    lookup = ItalianPreprocessor(lemmatizer="spacy-lookup")
    assert lookup.lemmatizer == "spacy-lookup"
    assert lookup.lemmas("famiglie") == ["famiglia"]


def test_normalize_text_for_exact_duplicates():
    assert normalize_text("  Più  CASE popolari! ") == normalize_text("più case popolari")
