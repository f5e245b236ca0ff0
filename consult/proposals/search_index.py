"""Full-text search with Italian stemming: PostgreSQL `italian` text search, SQLite FTS5.

PostgreSQL stems with its own `italian` configuration over a GIN expression index. SQLite's FTS5
has no Italian stemmer, so the Snowball Italian stemmer (the algorithm PostgreSQL uses) stems both
the indexed text and the queries here. The FTS5 table stores the stemmed words, keyed by the
proposal id; ORM writes keep it in sync through mapper events, and `catch_up` indexes rows that
were written without the ORM. Migrations and `create_all` create the objects through the same
functions.
"""

import re
import threading
from typing import Any, cast

import snowballstemmer
from sqlalchemy import ColumnElement, Select, event, inspect, literal_column, select, text, true
from sqlalchemy.engine import Connection

from consult.proposals.italian_forms import forms
from consult.proposals.models import Contribution

FTS_TABLE = "contribution_fts"
PG_INDEX = "contribution_fts_idx"
# The WHERE clause must repeat the index expression exactly for PostgreSQL to use the index.
PG_DOCUMENT = "to_tsvector('italian'::regconfig, coalesce(title, '') || ' ' || text)"
PG_DOCUMENT_QUALIFIED = (
    "to_tsvector('italian'::regconfig, "
    "coalesce(contribution.title, '') || ' ' || contribution.text)"
)
WORD = re.compile(r"\w+")
# The commonest Italian function words: they carry no meaning and would make every AND fail.
STOPWORDS = frozenset(
    [
        "a",
        "ad",
        "al",
        "alla",
        "alle",
        "allo",
        "agli",
        "ai",
        "anche",
        "che",
        "chi",
        "ci",
        "col",
        "con",
        "da",
        "dal",
        "dalla",
        "dalle",
        "dai",
        "dagli",
        "de",
        "dei",
        "del",
        "della",
        "delle",
        "dello",
        "degli",
        "di",
        "e",
        "ed",
        "gli",
        "ha",
        "hanno",
        "ho",
        "i",
        "il",
        "in",
        "io",
        "la",
        "le",
        "lo",
        "ma",
        "mi",
        "ne",
        "nei",
        "nel",
        "nella",
        "nelle",
        "nello",
        "negli",
        "noi",
        "non",
        "o",
        "per",
        "più",
        "se",
        "si",
        "sia",
        "sono",
        "su",
        "sul",
        "sulla",
        "sulle",
        "sui",
        "tra",
        "fra",
        "tu",
        "un",
        "una",
        "uno",
        "vi",
        "voi",
        "è",
    ]
)
_local = threading.local()


def italian_terms(value: str) -> list[str]:
    """Lower-case, drop function words and stem: the words FTS5 indexes and matches."""
    words = [w for w in WORD.findall(value.lower()) if w not in STOPWORDS]
    if not hasattr(_local, "stemmer"):
        _local.stemmer = snowballstemmer.stemmer("italian")
    return _local.stemmer.stemWords(words)


def query_words(query: str) -> list[set[str]]:
    """Each word of the query that is no function word, with all its Italian forms."""
    return [forms(w) for w in WORD.findall(query.lower()) if w not in STOPWORDS]


def match_condition(dialect: str, query: str) -> ColumnElement[bool]:
    """A WHERE condition keeping the proposals whose title or text has every word of `query`,
    in any of its forms (anziano finds anziani, casa popolare finds case popolari)."""
    words = query_words(query)
    if not words:
        return true()
    if dialect == "postgresql":
        tsquery = " & ".join("(" + " | ".join(sorted(variants)) + ")" for variants in words)
        condition = f"{PG_DOCUMENT_QUALIFIED} @@ to_tsquery('italian', :fts_q)"
        # A textual condition is a boolean WHERE clause; SQLAlchemy types it as a bare clause.
        return cast(ColumnElement[bool], text(condition).bindparams(fts_q=tsquery))
    stems = [sorted(set(italian_terms(" ".join(variants)))) for variants in words]
    expression = " AND ".join(
        "(" + " OR ".join(f'"{stem}"' for stem in group) + ")" for group in stems if group
    )
    if not expression:
        return true()
    matching: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(text(FTS_TABLE))
        .where(text(f"{FTS_TABLE} MATCH :fts_q").bindparams(fts_q=expression))
    )
    return Contribution.id.in_(matching)  # type: ignore[union-attr]


def create_search_objects(connection: Connection) -> None:
    """Create the FTS5 table (SQLite) or the GIN expression index (PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON contribution USING gin ({PG_DOCUMENT})")
        )
    elif connection.dialect.name == "sqlite":
        connection.execute(
            text(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
                'body, tokenize = "unicode61 remove_diacritics 2")'
            )
        )


def drop_search_objects(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP INDEX IF EXISTS {PG_INDEX}"))
    elif connection.dialect.name == "sqlite":
        connection.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))


def index_rows(connection: Connection, rows: list[tuple[int, str | None, str]]) -> None:
    """(Re)index (id, title, text) rows in the SQLite FTS5 table."""
    if connection.dialect.name != "sqlite" or not rows:
        return
    delete = text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id")
    insert = text(f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (:id, :body)")
    for row_id, title, body in rows:
        connection.execute(delete, {"id": row_id})
        stems = " ".join(italian_terms(f"{title or ''} {body or ''}"))
        connection.execute(insert, {"id": row_id, "body": stems})


def catch_up(connection: Connection) -> int:
    """Index proposals written without the ORM (bulk imports, SQL); return how many."""
    if connection.dialect.name != "sqlite":
        return 0
    missing = connection.execute(
        text(
            f"SELECT id, title, text FROM contribution "
            f"WHERE id NOT IN (SELECT rowid FROM {FTS_TABLE})"
        )
    ).all()
    index_rows(connection, [tuple(row) for row in missing])
    return len(missing)


def rebuild(connection: Connection) -> int:
    """Empty the SQLite index and index every proposal again."""
    if connection.dialect.name != "sqlite":
        return 0
    connection.execute(text(f"DELETE FROM {FTS_TABLE}"))
    return catch_up(connection)


@event.listens_for(Contribution, "after_insert")
def _index_new(_mapper, connection: Connection, target: Contribution) -> None:
    index_rows(connection, [(target.id, target.title, target.text)])  # type: ignore[list-item]


@event.listens_for(Contribution, "after_update")
def _reindex_changed(_mapper, connection: Connection, target: Contribution) -> None:
    state = inspect(target)
    if state.attrs.text.history.has_changes() or state.attrs.title.history.has_changes():
        index_rows(connection, [(target.id, target.title, target.text)])  # type: ignore[list-item]


@event.listens_for(Contribution, "after_delete")
def _unindex(_mapper, connection: Connection, target: Contribution) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": target.id})


@event.listens_for(Contribution.__table__, "after_create")  # type: ignore[attr-defined]
def _create_with_table(_table, connection: Connection, **_kw) -> None:
    create_search_objects(connection)


@event.listens_for(Contribution.__table__, "before_drop")  # type: ignore[attr-defined]
def _drop_with_table(_table, connection: Connection, **_kw) -> None:
    drop_search_objects(connection)
