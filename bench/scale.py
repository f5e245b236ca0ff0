"""Scale bench: grow a database to N published proposals and time the pages (p50/p95).

    .venv/bin/python bench/scale.py --database-url sqlite:////tmp/scale.sqlite3 --n 10000
    .venv/bin/python bench/scale.py --database-url postgresql://postgres@127.0.0.1:5432/h_s_bench \
        --n 100000

The first run migrates the database, loads the demo (with a first theme analysis on the fast
`lsa` encoder) and clones its published proposals with variations (prefixes, endings, another
territory, channel, date; each clone keeps its original's theme and model mappings) until N are
published, then rebuilds the stored assignments and the search index once (timed). Later runs
find the proposals there and only time the pages, in process through the Flask test client
(anonymous, and as the demo planner), `--runs` times each after one warm-up request.

`--code-root DIR` imports `consult` from DIR instead (for example an export of main:
`git archive main | tar -x -C /tmp/consult-main`), so the same database is timed before and
after a change in the same session; `--pages` limits the pages (comma-separated names).
"""

import argparse
import json
import os
import random
import resource
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# A consultation's pages live under /c/<slug>/ (the unprefixed addresses redirect): "{c}" is
# that prefix, filled in with the demo consultation's slug.
PAGES = {
    "home": "{c}/",
    "proposte": "{c}/proposte",
    "search": "{c}/proposte?q=anziani",
    "objective": "{c}/obiettivi/abitare",
    "statistiche": "{c}/statistiche",
    "api-objective": "{c}/api/v1/objectives/abitare",
    "api-page-200": "{c}/api/v1/contributions?page=200",
    "coverage": "{c}/pianificazione/copertura",
    "report": "{c}/pianificazione/rapporto",
    "themes": "{c}/pianificazione/temi",
    "mapping": "{c}/pianificazione/mappatura",
    # the current run's largest theme ({t}): its page and the second page of its proposals
    "theme": "{c}/pianificazione/temi/{t}",
    "theme-proposals": "{c}/pianificazione/temi/{t}/proposte?pagina=2",
}
PLANNER_PAGES = {"coverage", "report", "themes", "mapping", "theme", "theme-proposals", "csv"}
PREFIXES = (
    "",
    "",
    "Nel mio quartiere: ",
    "Come genitore, ",
    "Da operatrice sociale: ",
    "Lo diciamo da anni. ",
    "Nella nostra valle, ",
    "Per chi vive da solo, ",
)
ENDINGS = (
    "",
    "",
    " Grazie.",
    " È urgente.",
    " Anche nei comuni piccoli.",
    " Servono risorse stabili, non progetti di un anno.",
    " Ne abbiamo parlato all'incontro di zona.",
)
CHANNELS = ("online", "online", "online", "meeting", "paper", "live", "import")


def main() -> None:
    args = _arguments()
    if args.code_root:
        sys.path.insert(0, str(Path(args.code_root).resolve()))
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    app = _app(args.database_url)
    if not args.time_only:
        _prepare(app, args.n)
    names = args.pages.split(",") if args.pages else [*PAGES, "csv"]
    figures = _time_pages(app, names, args.runs, profile=args.profile)
    figures["proposals"] = _published(app)
    figures["code"] = args.code_root or "this tree"
    figures["loadavg"] = os.getloadavg()
    print(json.dumps(figures, indent=1))


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--n", type=int, default=10_000, help="published proposals to reach")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pages", default="")
    parser.add_argument("--code-root", default="")
    parser.add_argument("--time-only", action="store_true", help="do not grow the database")
    parser.add_argument(
        "--profile", action="store_true", help="print each page's slowest SQL statements"
    )
    return parser.parse_args()


def _app(url: str):
    from consult import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "SERVER_NAME": "localhost",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "CONSULT_EMBEDDINGS": "lsa",
            "ANALYSIS_EXECUTOR": "inline",
            "ANALYSIS_HEARTBEAT_SECONDS": 0,
        }
    )


def _published(app) -> int:
    from sqlalchemy import text

    from consult import db

    with app.app_context(), db.engine().connect() as connection:
        return connection.execute(
            text("SELECT COUNT(*) FROM contribution WHERE status = 'published'")
        ).scalar_one()


def _prepare(app, n: int) -> None:
    from alembic import command

    from consult.cli import alembic_config

    with app.app_context():
        command.upgrade(alembic_config(), "head")
    runner = app.test_cli_runner()
    if _published(app) == 0:
        started = time.perf_counter()
        result = runner.invoke(args=["demo"])
        print(f"demo loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        assert result.exit_code == 0, result.output
    missing = n - _published(app)
    if missing > 0:
        _grow(app, missing)


def _grow(app, missing: int) -> None:
    """Clone published proposals (with their theme and model mappings) `missing` times."""
    from sqlalchemy import insert, text
    from sqlmodel import col, select

    from consult import db
    from consult.analysis import assignment_store
    from consult.analysis.assignment import current_run
    from consult.analysis.models import ContributionTheme, ObjectiveMapping
    from consult.framework.models import Territory
    from consult.proposals import search_index
    from consult.proposals.models import Contribution

    rng = random.Random(42)
    started = time.perf_counter()
    with app.app_context(), db.standalone_session() as session:
        originals = session.exec(
            select(Contribution).where(
                Contribution.status == "published", col(Contribution.original_text).is_(None)
            )
        ).all()
        consultation_id = originals[0].consultation_id
        run = current_run(session, consultation_id)
        themes = {
            m.contribution_id: m.theme_id
            for m in session.exec(select(ContributionTheme).where(ContributionTheme.is_primary))
        }
        mappings: dict[int, list[ObjectiveMapping]] = {}
        for mapping in session.exec(
            select(ObjectiveMapping).where(col(ObjectiveMapping.contribution_id).is_not(None))
        ):
            mappings.setdefault(mapping.contribution_id or 0, []).append(mapping)
        territories = [t for t in session.exec(select(Territory.id)) if t]
        now = datetime.now(UTC)
        done = 0
        while done < missing:
            size = min(5000, missing - done)
            picks = [rng.choice(originals) for _ in range(size)]
            rows = [_clone(rng, c, territories, now) for c in picks]
            ids = session.scalars(insert(Contribution).returning(Contribution.id), rows).all()
            members, maps = [], []
            for new_id, original in zip(ids, picks, strict=True):
                if original.id in themes:
                    members.append(
                        {
                            "contribution_id": new_id,
                            "theme_id": themes[original.id],
                            "probability": 0.7,
                            "is_primary": True,
                            "is_representative": False,
                        }
                    )
                for m in mappings.get(original.id or 0, []):
                    maps.append(
                        {
                            "contribution_id": new_id,
                            "objective_id": m.objective_id,
                            "confidence": max(0.0, min(1.0, m.confidence + rng.gauss(0, 0.05))),
                            "source": m.source,
                            "run_id": m.run_id,
                        }
                    )
            if members:
                session.execute(insert(ContributionTheme.__table__), members)  # type: ignore[attr-defined]
            if maps:
                session.execute(insert(ObjectiveMapping.__table__), maps)  # type: ignore[attr-defined]
            done += size
            print(f"  {done}/{missing} proposals cloned", file=sys.stderr)
        print(f"cloned in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        indexed = time.perf_counter()
        search_index.catch_up(session.connection())
        print(f"search index in {time.perf_counter() - indexed:.1f} s", file=sys.stderr)
        rebuilt = time.perf_counter()
        assignment_store.rebuild(session, consultation_id)
        print(
            f"assignments rebuilt in {time.perf_counter() - rebuilt:.1f} s"
            f" (current run {run.id if run else None})",
            file=sys.stderr,
        )
        session.commit()
        # The planner's statistics, as autovacuum's ANALYZE would gather them (this machine's
        # PostgreSQL runs with autovacuum off: without them the 100,000-row plans sort and scan,
        # search 2.9 s and an objective's page 0.7 s instead of 57 and 160 ms).
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
            session.commit()


def _clone(rng: random.Random, original, territories: list[int], now: datetime) -> dict:
    text = f"{rng.choice(PREFIXES)}{original.text}{rng.choice(ENDINGS)}"
    created = now - timedelta(days=rng.uniform(0, 120))
    return {
        "consultation_id": original.consultation_id,
        "title": original.title,
        "text": text,
        "original_text": original.text,  # marks a clone (never cloned again)
        "channel": rng.choice(CHANNELS),
        "territory_id": rng.choice([None, *territories]),
        "participant_role": original.participant_role,
        "suggested_objective_id": original.suggested_objective_id,
        "status": "published",
        "tracking_token": secrets.token_urlsafe(24),
        "provenance": {"bench": "scale"},
        "created_at": created,
        "updated_at": created,
        "published_at": created,
        "highlighted": False,
        "discussed": False,
    }


def _prefix(app) -> str:
    """The demo consultation's /c/<slug> prefix (the default consultation's)."""
    with app.test_request_context("/"):
        from consult.framework.context import default_slug

        slug = default_slug()
    return f"/c/{slug}" if slug else ""


def _largest_theme(app) -> str:
    """The stable key of the current run's largest theme (empty without a run)."""
    from sqlmodel import Session, col, select

    from consult.analysis.models import AnalysisRun, Theme

    with Session(app.extensions["consult.engine"]) as session:
        key = session.exec(
            select(Theme.stable_key)
            .join(AnalysisRun, col(AnalysisRun.id) == Theme.run_id)
            .where(col(AnalysisRun.is_current), Theme.status != "merged")
            .order_by(col(Theme.size).desc())
        ).first()
    return key or ""


def _time_pages(app, names: list[str], runs: int, *, profile: bool = False) -> dict:
    prefix = _prefix(app)
    theme = _largest_theme(app)
    statements = _statement_timer(app) if profile else None
    anonymous = app.test_client()
    planner = app.test_client()
    planner.post(
        "/account/accedi", data={"email": "pianificatore@example.org", "password": "consult-demo"}
    )
    figures: dict = {}
    for name in names:
        client = planner if name in PLANNER_PAGES else anonymous
        if name == "csv":
            figures["csv"] = _time_csv(client, max(1, runs // 5), prefix)
            continue
        times = []
        for attempt in range(runs + 1):
            if statements is not None:
                statements.clear()
            started = time.perf_counter()
            response = client.get(PAGES[name].format(c=prefix, t=theme))
            response.get_data()
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (name, response.status_code)
            if attempt:
                times.append(elapsed)
        figures[name] = _summary(times)
        print(f"{name:14} {figures[name]}", file=sys.stderr)
        if statements is not None:
            _print_slowest(statements)
    return figures


def _statement_timer(app) -> list:
    """(seconds, SQL) of every statement the app's engine runs, in a list the caller clears."""
    from sqlalchemy import event

    from consult import db

    found: list = []
    with app.app_context():
        engine = db.engine()

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, _cursor, _statement, _parameters, _context, _many):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(conn, _cursor, statement, _parameters, _context, _many):
        found.append((time.perf_counter() - conn.info["bench_started"].pop(), statement))

    return found


def _print_slowest(statements: list, top: int = 6) -> None:
    """The last request's statements: how many, their total time and the slowest ones."""
    total = sum(s for s, _ in statements)
    print(f"    {len(statements)} statements, {total * 1000:.0f} ms", file=sys.stderr)
    for seconds, statement in sorted(statements, key=lambda s: -s[0])[:top]:
        text = " ".join(statement.split())
        print(f"    {seconds * 1000:7.1f} ms  {text[:400]}", file=sys.stderr)


def _time_csv(client, runs: int, prefix: str) -> dict:
    first, total, size = [], [], 0
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(f"{prefix}/pianificazione/esporta.csv", buffered=False)
        chunks = iter(response.response)
        size = len(next(chunks))
        first.append(time.perf_counter() - started)
        for chunk in chunks:
            size += len(chunk)
        response.close()
        total.append(time.perf_counter() - started)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    result = {
        "first_byte": _summary(first),
        "total": _summary(total),
        "bytes": size,
        "peak_rss_growth_mb": round(grown / 1024, 1),
    }
    print(f"{'csv':14} {result}", file=sys.stderr)
    return result


def _summary(times: list[float]) -> dict:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


if __name__ == "__main__":
    main()
