"""Benchmark theme fitting on 10k / 100k synthetic proposals (embedding excluded).

Proposals are built by recombining sentences of the development set; embeddings are
precomputed with the LSA encoder so only the theme model is timed. Each size runs in a
fresh subprocess so that peak RSS is per size.

    OMP_NUM_THREADS=2 python bench/nlp_fit.py 10000 100000
"""

from __future__ import annotations

import csv
import json
import os
import re
import resource
import subprocess
import sys
import time

DEV = os.environ.get("CONSULT_DEV_CSV", "/work/shared/data/proposte_sviluppo_it.csv")


def synthetic(n: int, seed: int = 0) -> list[str]:
    """Return n proposals mixing 1-3 sentences of dev proposals with the same objective."""
    import numpy as np

    with open(DEV, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_obj: dict[str, list[str]] = {}
    for r in rows:
        for s in re.split(r"(?<=[.!?:])\s+", r["text"].strip()):
            if len(s) > 15:
                by_obj.setdefault(r["objective"], []).append(s)
    rng = np.random.default_rng(seed)
    keys = sorted(by_obj)
    out = []
    for i in range(n):
        pool = by_obj[keys[int(rng.integers(len(keys)))]]
        k = int(rng.integers(1, 4))
        picks = [pool[int(j)] for j in rng.integers(len(pool), size=k)]
        out.append(" ".join(picks) + f" (rif. {i % 997})")
    return out


def run_one(n: int) -> dict:
    """Fit one size and return timings and peak RSS."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from nlp import ThemeModel, get_encoder

    texts = synthetic(n)
    t0 = time.perf_counter()
    encoder = get_encoder("lsa")
    encoder.fit(texts)
    vectors = encoder.encode(texts)
    embed_s = time.perf_counter() - t0
    model = ThemeModel(encoder=encoder, seed=42)
    t0 = time.perf_counter()
    result = model.fit(texts, embeddings=vectors)
    fit_s = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "n": n,
        "fit_seconds": round(fit_s, 1),
        "embedding_seconds_excluded": round(embed_s, 1),
        "peak_rss_mb": round(rss_mb),
        "themes": len(result.themes),
        "regime": result.run.regime,
        "stages": {k: round(v, 1) for k, v in result.run.timings.items()},
    }


def main() -> None:
    """Run each requested size in its own process and print JSON lines."""
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(run_one(int(sys.argv[2]))))
        return
    for n in [int(a) for a in sys.argv[1:]] or [10_000, 100_000]:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n)], check=True, capture_output=True, text=True
        )
        print(out.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
