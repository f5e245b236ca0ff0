"""Theme model: small and large corpus paths, duplicates, probabilities, provenance."""

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from nlp import OUTLIER, ThemeModel, get_encoder


@pytest.fixture(scope="module")
def fitted(corpus, use_encoder):
    texts, labels = corpus
    texts = [*texts, texts[0], texts[0].upper() + " ", texts[20]]
    labels = [*labels, labels[0], labels[0], labels[20]]
    stages = []
    model = ThemeModel(encoder=use_encoder, seed=7)
    result = model.fit(texts, progress=lambda stage, f: stages.append((stage, f)))
    return model, result, texts, labels, stages


def test_small_corpus_finds_the_hand_made_topics(fitted):
    _, result, _, labels, _ = fitted
    assert result.run.regime == "small"
    assert 3 <= len(result.themes) <= 8
    predicted = [d.theme for d in result.documents]
    assert normalized_mutual_info_score(labels, predicted) > 0.6
    assert result.outlier_share == 0.0


def test_themes_have_italian_labels_and_representatives(fitted):
    _, result, texts, _, _ = fitted
    for theme in result.themes:
        assert theme.label and len(theme.label.split(", ")) <= 3
        assert theme.keywords and all(isinstance(k, str) for k in theme.keywords)
        assert all(0 <= i < len(texts) for i in theme.representative_docs)
        assert all(result.documents[i].theme == theme.id for i in theme.representative_docs)
        assert abs(np.linalg.norm(theme.centroid) - 1) < 1e-4
    assert sum(t.size for t in result.themes) == len(texts)
    words = {w for t in result.themes for k in t.keywords for w in k.split()}
    assert {"servizio", "civile"} <= words or "isee" in words


def test_exact_duplicates_are_collapsed_then_expanded(fitted):
    _, result, texts, _, _ = fitted
    assert result.run.n_documents == len(texts)
    assert result.run.n_unique == len(texts) - 3
    assert result.documents[-3].theme == result.documents[0].theme
    assert result.documents[-2].theme == result.documents[0].theme


def test_probabilities_and_run_info(fitted):
    _, result, _, _, stages = fitted
    for doc in result.documents:
        assert doc.probabilities and doc.probabilities[0][1] > 0
        assert doc.theme in [t for t, _ in doc.probabilities]
        assert all(0 < p <= 1 for _, p in doc.probabilities)
    run = result.run
    assert len(run.corpus_hash) == 64 and run.seed == 7 and run.encoder == "use"
    assert {"bertopic", "spacy"} <= set(run.versions)
    assert {"preprocess", "embed", "cluster", "represent"} <= set(run.timings)
    assert stages[0][1] == 0.0 and stages[-1] == ("done", 1.0)
    assert [f for _, f in stages] == sorted(f for _, f in stages)


def test_refit_with_same_seed_is_deterministic(corpus, use_encoder):
    texts, _ = corpus
    first = ThemeModel(encoder=use_encoder, seed=3).fit(texts)
    second = ThemeModel(encoder=use_encoder, seed=3).fit(texts)
    assert [d.theme for d in first.documents] == [d.theme for d in second.documents]


def _synthetic(corpus, n):
    texts, labels = corpus
    rng = np.random.default_rng(0)
    out, gold = [], []
    for _ in range(n):
        i, j = rng.integers(len(texts), size=2)
        same = [k for k in range(len(texts)) if labels[k] == labels[i]]
        j = same[int(rng.integers(len(same)))]
        out.append(f"{texts[i]}. {texts[j]} ({int(rng.integers(1000))})")
        gold.append(labels[i])
    return out, gold


def test_large_corpus_path_uses_pca_and_minibatch(corpus):
    texts, gold = _synthetic(corpus, 300)
    model = ThemeModel(encoder=get_encoder("lsa"), large_threshold=200, seed=1)
    result = model.fit(texts)
    assert result.run.regime == "large"
    assert len(result.themes) >= 4
    assert normalized_mutual_info_score(gold, [d.theme for d in result.documents]) > 0.4


def test_standard_path_uses_umap_hdbscan_and_reduces_outliers(corpus, use_encoder):
    texts, _gold = _synthetic(corpus, 240)
    model = ThemeModel(encoder=use_encoder, small_threshold=100, min_topic_size=15, seed=1)
    result = model.fit(texts)
    assert result.run.regime == "standard"
    assert len(result.themes) >= 2
    assert result.outlier_share < 0.5
    theme_ids = {t.id for t in result.themes}
    assert {d.theme for d in result.documents} <= theme_ids | {OUTLIER}


def test_too_few_texts_is_an_error(use_encoder):
    with pytest.raises(ValueError):
        ThemeModel(encoder=use_encoder).fit(["uno", "due"])
