"""Theme figures with and without the framework (nested themes): NMI, coherence, names, time.

    OMP_NUM_THREADS=1 python bench/nlp_themes_eval.py [--cache DIR]

dev (304, first analysis timed end to end, embedding included) and iniziative (121, real,
CC-BY: © Ministero della Giustizia & onData, https://firmereferendum.giustizia.it/).
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

SETS = {
    "dev": ("/work/shared/data/proposte_sviluppo_it.csv", ["text"], "objective"),
    "ini": (
        "/work/shared/data/iniziative_popolari_it.csv",
        ["titolo", "descrizione_breve"],
        "categoria",
    ),
    "real": (str(ROOT / "bench/data/proposte_realistiche_it.csv"), ["text"], "objectives"),
    "new": (str(ROOT / "bench/data/proposte_nuove_it.csv"), ["text"], "objective"),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default=None)
    ap.add_argument("--sets", default="dev,ini,real,new")
    args = ap.parse_args()
    objectives = nlp.read_framework(ROOT / "consult/framework/data/piemonte-2018.yaml")
    report: dict = {"loadavg_start": Path("/proc/loadavg").read_text().split()[:3]}
    for name in args.sets.split(","):
        path, cols, label = SETS[name]
        texts, labels = nlp.read_labeled_csv(path, text_columns=cols, label_column=label)
        labels = [lab.split(";")[0].strip() for lab in labels]
        cache = Path(args.cache) / f"{name}.npy" if args.cache else None
        emb = np.load(cache) if cache is not None and cache.is_file() and name != "dev" else None
        for framework in (True, False):
            t0 = time.perf_counter()
            out = nlp.evaluate_themes(
                texts, labels, embeddings=emb, objectives=objectives if framework else ()
            )
            out["wall_seconds"] = round(time.perf_counter() - t0, 2)
            out["embeddings_precomputed"] = emb is not None
            key = f"{name}{'+framework' if framework else ''}"
            report[key] = out
            print(
                f"{key:16} themes {out['themes']:>3} NMI {out.get('nmi', 0):.3f} "
                f"ARI {out.get('ari', 0):.3f} coherence {out['coherence']:.3f} "
                f"flagged {out['flagged_share']:.2f} "
                f"names-in->=2 {out['name_occurrence_share']:.2f}"
                f" fit {out['fit_seconds']} s",
                flush=True,
            )
            if name == "dev" and emb is None and cache is not None and cache.is_file():
                emb = np.load(cache)
    report["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
