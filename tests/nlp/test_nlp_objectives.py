"""Objective mapping: zero-shot, fuori-strategia, confirmed labels."""

import numpy as np
import pytest

from nlp import OFF_STRATEGY, ObjectiveMapper


@pytest.fixture(scope="module")
def mapper(objectives, use_encoder, corpus):
    mapper = ObjectiveMapper(objectives, encoder=use_encoder)
    mapper.calibrate(use_encoder.encode(corpus[0]))
    return mapper


def test_maps_in_strategy_proposals(mapper):
    matches = mapper.match(
        [
            "L'affitto è troppo caro e non trovo una casa popolare",
            "Mia madre anziana ha bisogno di assistenza domiciliare",
            "Più posti di servizio civile per i ragazzi",
            "Le soglie ISEE sono ingiuste",
        ]
    )
    assert [m[0].code for m in matches] == ["abitare", "socio-sanitario", "servizio-civile", "isee"]
    assert all(0 < m[0].confidence <= 1 for m in matches)


def test_off_strategy_when_nothing_fits(mapper):
    matches = mapper.match(
        [
            "Riparate le buche della strada davanti al mercato",
            "Servono più parcheggi vicino alla stazione",
        ]
    )
    assert [m[0].code for m in matches] == [OFF_STRATEGY, OFF_STRATEGY]
    assert all(len(m) == 1 for m in matches)


def test_confirmed_labels_need_two_per_objective(mapper, use_encoder):
    vectors = use_encoder.encode(["casa", "anziani"])
    assert mapper.fit_labels(vectors, ["abitare", "socio-sanitario"]) is False
    assert mapper.classifier is None


def test_confirmed_labels_change_the_decision(objectives, use_encoder, corpus):
    mapper = ObjectiveMapper(objectives, encoder=use_encoder)
    texts = corpus[0]
    labels = ["abitare"] * 12 + ["socio-sanitario"] * 12 + ["servizio-civile"] * 12
    labels += ["isee"] * 12
    # Planners decided that all talk about the ISEE tariffs belongs to 'abitare'.
    labels = [lab if lab != "isee" else "abitare" for lab in labels] + ["isee", "isee"]
    texts = [*texts, "Regolamento regionale ISEE", "Soglie ISEE uniformi"]
    vectors = use_encoder.encode(texts)
    before = mapper.probabilities(vectors[36:48])[:, 0].mean()
    assert mapper.fit_labels(vectors, labels) is True
    after = mapper.probabilities(vectors[36:48])[:, 0].mean()
    assert after > before
    assert np.allclose(mapper.probabilities(vectors).sum(axis=1), 1.0, atol=1e-5)


def test_two_objectives_without_off_strategy_labels_learn_a_binary_classifier(
    objectives, use_encoder, corpus
):
    texts, topics = corpus
    pairs = [(t, lab) for t, lab in zip(texts, topics, strict=True) if lab in ("abitare", "civile")]
    labels = ["abitare" if lab == "abitare" else "servizio-civile" for _, lab in pairs]
    two = [o for o in objectives if o.code in ("abitare", "servizio-civile")]
    mapper = ObjectiveMapper(two, encoder=use_encoder)
    vectors = use_encoder.encode([t for t, _ in pairs])
    mapper.calibrate(vectors)
    assert mapper.fit_labels(vectors, labels) is True
    probs = mapper.probabilities(vectors)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    learned = mapper._predict_learned(vectors)
    assert np.all(learned[:, -1] < 1e-6)  # never-seen fuori-strategia gets no mass
    predicted = [["abitare", "servizio-civile"][i] for i in learned[:, :2].argmax(axis=1)]
    assert sum(p == g for p, g in zip(predicted, labels, strict=True)) >= len(labels) - 1


def test_labels_of_a_single_objective_are_not_enough(objectives, use_encoder):
    mapper = ObjectiveMapper(objectives[:1], encoder=use_encoder)
    vectors = use_encoder.encode(["casa", "affitto", "sfratto"])
    assert mapper.fit_labels(vectors, ["abitare"] * 3) is False
    assert mapper.classifier is None
