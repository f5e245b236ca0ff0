"""Gender and number forms of Italian words, for search."""

from consult.proposals.italian_forms import forms


def test_nouns_and_adjectives_get_their_four_forms():
    assert {"anziano", "anziani", "anziana", "anziane"} <= forms("Anziano")
    assert {"popolare", "popolari"} <= forms("popolari")


def test_hard_c_and_g_keep_their_sound():
    assert {"amica", "amiche", "amico", "amici"} <= forms("amiche")
    assert {"parco", "parchi"} <= forms("parco")
    assert {"lungo", "lunghi", "lunga", "lunghe"} <= forms("lunghe")


def test_short_words_numbers_and_consonant_endings_stay_as_they_are():
    assert forms("tv") == {"tv"}
    assert forms("2024") == {"2024"}
    assert forms("bus") == {"bus"}
