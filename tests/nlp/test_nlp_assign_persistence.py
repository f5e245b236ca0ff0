"""Incremental assignment without refit, and a save/load roundtrip that keeps it."""

import time

import numpy as np
import pytest

from nlp import (
    OFF_STRATEGY,
    OUTLIER,
    PersistenceError,
    ThemeModel,
    get_encoder,
    load_model,
    save_model,
)


@pytest.fixture(scope="module")
def model(corpus, objectives, use_encoder):
    model = ThemeModel(encoder=use_encoder, objectives=objectives, seed=5)
    model.fit(corpus[0])
    return model


NEW = [
    "Non riesco a pagare l'affitto e rischio lo sfratto",
    "Il servizio civile per i giovani va pagato di più",
    "Buche enormi in via Garibaldi",
]


def test_fit_attaches_objectives_to_themes_and_documents(model):
    result = model.result
    assert all(t.objectives for t in result.themes)
    assert all(d.objectives for d in result.documents)
    codes = {t.objectives[0].code for t in result.themes}
    assert {"abitare", "servizio-civile"} <= codes


def test_assign_new_texts(model):
    out = model.assign(NEW)
    housing = model.result.documents[0].theme
    civil = model.result.documents[24].theme
    assert out[0].theme == housing and out[0].objectives[0].code == "abitare"
    assert out[1].theme == civil and out[1].objectives[0].code == "servizio-civile"
    assert out[2].objectives[0].code == OFF_STRATEGY
    assert all(0 < a.probability <= 1 for a in out)


def test_assign_latency_p95_under_50ms(model):
    # CPU time of this process: other processes on a shared machine do not count against it.
    model.assign(["riscaldamento"])
    times = []
    for text in NEW * 10:
        t0 = time.process_time()
        model.assign([text])
        times.append(time.process_time() - t0)
    assert np.percentile(times, 95) < 0.05


def test_roundtrip_keeps_assignments(model, tmp_path, use_encoder):
    path = save_model(model, tmp_path / "m")
    assert (path / "arrays.safetensors").is_file() and (path / "model.json").is_file()
    loaded = load_model(path, encoder=use_encoder)
    before, after = model.assign(NEW), loaded.assign(NEW)
    assert [a.theme for a in before] == [a.theme for a in after]
    assert [a.objectives for a in before] == [a.objectives for a in after]
    assert loaded.run_record["corpus_hash"] == model.result.run.corpus_hash
    assert loaded.saved_themes[0]["label"] == model.result.themes[0].label


def test_roundtrip_of_lsa_model_needs_no_refit(corpus, tmp_path):
    model = ThemeModel(encoder=get_encoder("lsa"), seed=2)
    model.fit(corpus[0])
    loaded = load_model(save_model(model, tmp_path / "lsa"))
    assert loaded.encoder.name == "lsa"
    assert [a.theme for a in loaded.assign(NEW)] == [a.theme for a in model.assign(NEW)]


def test_loading_garbage_is_a_clear_error(tmp_path):
    with pytest.raises(PersistenceError):
        load_model(tmp_path)


def test_unfitted_model_cannot_assign(use_encoder):
    from nlp import NotFittedError

    with pytest.raises(NotFittedError):
        ThemeModel(encoder=use_encoder).assign(["casa"])
    assert OUTLIER == -1


def test_fit_learns_confirmed_labels_in_one_pass(corpus, objectives, use_encoder):
    texts = corpus[0]
    codes = ["abitare", "socio-sanitario", "servizio-civile", "isee"]
    # Planners moved the ISEE talk to 'abitare': the labelled fit must follow them.
    labels = {i: codes[i // 12] if i // 12 != 3 else "abitare" for i in range(0, 48, 2)}
    labels |= {37: "isee", 39: "isee"}
    plain = ThemeModel(encoder=use_encoder, objectives=objectives, seed=5)
    plain.fit(texts)
    taught = ThemeModel(encoder=use_encoder, objectives=objectives, seed=5)
    result = taught.fit(texts, labels=labels)
    assert taught.supervised is True and plain.supervised is False
    assert result.run.params["confirmed_labels"] == len(labels)

    def isee_share(model):
        docs = model.result.documents[36:48]
        return sum(d.objectives[0].code == "abitare" for d in docs)

    assert isee_share(taught) > isee_share(plain)


def test_fast_head_assigns_with_the_fast_encoder_and_survives_a_roundtrip(
    corpus, objectives, use_encoder, tmp_path
):
    texts = corpus[0]
    model = ThemeModel(
        encoder=get_encoder("lsa"), objectives=objectives, seed=3, fast_encoder=use_encoder
    )
    result = model.fit(texts)
    assert model.fast is not None and model.fast.encoder is use_encoder
    assert list(model.fast.theme_ids) == list(model.theme_ids)
    fitted = [d.theme for d in result.documents]
    quick = [a.theme for a in model.assign(texts, fast=True)]
    assert sum(a == b for a, b in zip(fitted, quick, strict=True)) >= 0.8 * len(texts)
    assert model.assign(NEW, fast=True)[1].objectives[0].code == "servizio-civile"
    loaded = load_model(save_model(model, tmp_path / "fast"))
    assert loaded.fast is not None and loaded.fast.encoder.name == "use"
    assert [a.theme for a in loaded.assign(NEW, fast=True)] == [
        a.theme for a in model.assign(NEW, fast=True)
    ]
    assert [a.theme for a in loaded.assign(NEW)] == [a.theme for a in model.assign(NEW)]
