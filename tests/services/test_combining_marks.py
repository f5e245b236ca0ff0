"""A letter piled with combining marks ("Zalgo" text) cannot draw over the page (finding 10)."""

import unicodedata

from consult.common.text_rules import MAX_COMBINING_MARKS, clean_text


def test_a_letter_keeps_at_most_a_few_combining_marks():
    zalgo = "a" + "\u0301" * 1992 + " casa"
    cleaned = clean_text(zalgo)
    assert cleaned is not None
    assert sum(1 for ch in cleaned if unicodedata.combining(ch)) == MAX_COMBINING_MARKS
    assert cleaned.endswith(" casa")


def test_ordinary_accents_and_vietnamese_stacks_are_kept():
    assert clean_text("perché città Việt") == unicodedata.normalize("NFC", "perché città Việt")


def test_the_online_form_stores_no_pile_of_marks(client, consultation, db):
    from sqlmodel import select

    from consult.proposals.models import Contribution

    text = "Servono centri diurni" + "\u0301" * 500 + " in tutte le valli del Piemonte."
    answer = client.post(
        "/proposte/nuova",
        data={
            "text": text,
            "territory": "torino",
            "role": "operatore-sociale",
            "consent": "y",
            "idempotency_key": "c0ffee00-0000-4000-8000-000000000001",
        },
    )
    assert answer.status_code == 303
    stored = db.exec(select(Contribution)).one()
    assert sum(1 for ch in stored.text if unicodedata.combining(ch)) == MAX_COMBINING_MARKS
