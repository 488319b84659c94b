"""Engines and small portable SQL helpers; nothing connects until first use.

SQLite is tuned for several worker processes writing at once: WAL so readers never
block, a long busy timeout, and every write transaction opened with BEGIN IMMEDIATE so
two writers never both hold a read lock and deadlock on the upgrade to a write lock.
The same code runs on PostgreSQL (psycopg 3, `postgresql+psycopg://...`): only the URL
changes. There every transaction is READ COMMITTED, which the stock steps rely on: a
conditional `UPDATE ... WHERE` that waited for a concurrent writer re-checks its condition
against the committed row, so two reservations can never both take the last unit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

BUSY_TIMEOUT_S = 30
# PostgreSQL connections per engine: enough for the worker's activity threads (32); more
# threads than that queue for a connection (up to POOL_TIMEOUT_S) instead of failing.
POOL_SIZE, POOL_OVERFLOW, POOL_TIMEOUT_S = 10, 30, 60
_READ_ONLY = "oms_read_only"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            pool_timeout=POOL_TIMEOUT_S,
            isolation_level="READ COMMITTED",
        )
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (the recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def create_schema(engine: Engine) -> None:
    # Importing the table modules registers their tables on the metadata.
    from activities import dispatch_tables, finance_tables, parcels, purchasing_tables, tables  # noqa: F401

    SQLModel.metadata.create_all(engine)
    for table in (tables.Carrier, tables.Shipment):
        add_missing_columns(engine, table.__table__)  # type: ignore[arg-type]


def add_missing_columns(engine: Engine, table: Table) -> list[str]:
    """Columns added to a table after a database was made (there is no migration tool).

    Only nullable columns are ever added this way; a concurrent start may have added one
    first, which is fine.
    """
    present = {column["name"] for column in inspect(engine).get_columns(table.name)}
    added = []
    for column in table.columns:
        if column.name in present or not column.nullable:
            continue
        kind = column.type.compile(dialect=engine.dialect)
        with contextlib.suppress(Exception), engine.begin() as connection:
            connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}")
            added.append(column.name)
    return added


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reads only: on SQLite it does not take the write lock."""
    with engine.connect() as connection:
        connection.execution_options(**{_READ_ONLY: True})
        yield connection


def _insert(connection: Connection, table: Table) -> Any:
    dialect = connection.dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"no idempotent insert for the {dialect} dialect")


def insert_ignore(
    connection: Connection, table: Table, values: dict[str, Any], *, key: Sequence[str]
) -> bool:
    """Insert unless a row with the same unique `key` exists; True when it was inserted."""
    return insert_ignore_many(connection, table, [values], key=key) == 1


def insert_ignore_many(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], *, key: Sequence[str]
) -> int:
    """Insert the rows (one statement) except those whose unique `key` exists; how many were."""
    if not rows:
        return 0
    statement = (
        _insert(connection, table)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=list(key))
        # psycopg's dialect forgets an INSERT's rowcount unless told to keep it.
        .execution_options(preserve_rowcount=True)
    )
    return connection.execute(statement).rowcount


def upsert(
    connection: Connection,
    table: Table,
    values: dict[str, Any],
    *,
    key: Sequence[str],
    keep: Sequence[str] = (),
    newer: str | None = None,
) -> None:
    """Insert, or update the existing row's columns except the `key` and the `keep` ones.

    With `newer`, the existing row is only updated when the incoming value of that column
    is greater, so a late, older write never overwrites a newer one.
    """
    statement = _insert(connection, table).values(**values)
    fixed = {*key, *keep}
    changes = {name: statement.excluded[name] for name in values if name not in fixed}
    where = table.c[newer] < statement.excluded[newer] if newer else None
    connection.execute(
        statement.on_conflict_do_update(index_elements=list(key), set_=changes, where=where)
    )
