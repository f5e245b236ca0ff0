"""What an import cell may say: dates as people write them, territories with their prefixes,
roles and channels by label (in every language), code or common variant."""

from datetime import date

import pytest

from consult.common.text_rules import fold
from consult.meetings import import_vocabulary as vocabulary


@pytest.mark.parametrize(
    "typed",
    [
        "12/10/2017",
        "12/10/17",
        "12-10-2017",
        "12.10.2017",
        "2017-10-12",
        "2017-10-12T09:30:00",
        "2017-10-12 09:30:00.123456",
        "12/10/2017 09:30",
        "12 ottobre 2017",
        "12 Ottobre 2017",
        "12 ott 2017",
        "12 ott. 2017",
        "giovedì 12 ottobre 2017",
        "12 ottobre 2017 ore 9:30",
        "12 October 2017",
        "October 12, 2017",
        "12-ott-2017",
    ],
)
def test_dates_people_write(typed):
    assert vocabulary.parse_date(typed) == date(2017, 10, 12)


def test_first_of_the_month_with_the_ordinal_sign():
    assert vocabulary.parse_date("1° ottobre 2017") == date(2017, 10, 1)
    assert vocabulary.parse_date("1º ottobre 2017") == date(2017, 10, 1)


@pytest.mark.parametrize(
    "typed", ["", "31 febbraio 2017", "31/02/2017", "il giorno dopo", "12 ottobrissimo 2017", "12"]
)
def test_what_is_not_a_date(typed):
    assert vocabulary.parse_date(typed) is None


def test_territories_match_without_their_prefixes():
    words = vocabulary.territory_words(
        [("asti", "Asti", 1), ("torino", "Città metropolitana di Torino", 2)]
    )
    for typed, expected in [
        ("Provincia di Asti", 1),
        ("provincia asti", 1),
        ("Prov. di Asti", 1),
        ("ASTI", 1),
        ("Città metropolitana di Torino", 2),
        ("Citta metropolitana di torino", 2),
        ("Provincia di Torino", 2),
        ("torino", 2),
    ]:
        assert vocabulary.find_territory(words, typed) == expected, typed
    assert vocabulary.find_territory(words, "Provincia di Atlantide") is None


def test_roles_and_channels_by_label_code_and_variant(app):
    with app.app_context():
        roles = vocabulary.role_words()
        channels = vocabulary.channel_words()
        refused = vocabulary.refused_channel_words()
    assert roles[fold("Giovane in servizio civile")] == "servizio-civile"
    assert roles[fold("Young person in civil service")] == "servizio-civile"
    assert roles[fold("Cittadina")] == "cittadino" and roles["ente locale"] == "ente-locale"
    assert channels[fold("Su carta")] == "paper" and channels[fold("On paper")] == "paper"
    assert channels[fold("Incontro sul territorio")] == "meeting"
    assert channels["importata"] == "import" and channels["paper"] == "paper"
    assert "online" in refused and fold("Sessione dal vivo") in refused
    assert "online" not in channels
