"""Take a bulk load's secondary indexes and foreign keys off its tables, then put them back.

Checking a foreign key per row costs PostgreSQL a lookup and a row lock on the referenced row
(a bulk booking row checks seven), and every secondary index (three of them trigram GIN indexes
on bookings) is maintained row by row. Building an index once over the loaded table is a sort,
and validating a foreign key once is one join, both far cheaper than millions of single-row
steps. So, while a run is the database's only writer, the generator drops the six tables'
non-unique indexes and their foreign keys, loads, and restores both from the definitions
PostgreSQL itself printed before dropping them (`pg_get_indexdef`, `pg_get_constraintdef`):
same names, same definitions, every key validated against all rows. Primary keys and unique
indexes stay, so nobody, not even another writer, can add a duplicate meanwhile.

A process killed in between (SIGKILL, power loss) cannot restore them; the statements are
printed on standard error before the drop so they can be replayed by hand.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

# Per restoring connection. Sorts of a few million keys fit in memory; and no parallel workers,
# because the restore already keeps one statement per core busy (and a parallel worker's CPU
# would escape the benchmark's per-connection accounting).
SESSION_SETTINGS = {
    "maintenance_work_mem": "256MB",
    "max_parallel_maintenance_workers": "0",
    "max_parallel_workers_per_gather": "0",
}


@dataclass(frozen=True, slots=True)
class Deferred:
    """What was taken off: `(table, name, definition)` per index and per foreign key."""

    indexes: tuple[tuple[str, str, str], ...]
    foreign_keys: tuple[tuple[str, str, str], ...]

    def restore_sql(self) -> list[str]:
        """Return the statements that put everything back, in the order they must run."""
        return [definition + ";" for _, _, definition in self.indexes] + [
            f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition};"
            for table, name, definition in self.foreign_keys
        ]


def deferrable(conn: Connection, tables: Sequence[str]) -> Deferred:
    """Return the non-unique indexes and the foreign keys of `tables` that a load may defer.

    Indexes that back a constraint (primary keys, unique and exclusion constraints) are kept.
    """
    indexes = conn.execute(
        sa.text(
            "SELECT t.relname, i.relname, pg_get_indexdef(i.oid) "
            "FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relnamespace = current_schema()::regnamespace "
            "  AND t.relname = ANY(:tables) AND NOT x.indisunique AND NOT x.indisprimary "
            "  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid) "
            "ORDER BY i.relam <> (SELECT oid FROM pg_am WHERE amname = 'btree') DESC, "
            "  pg_relation_size(t.oid) DESC, t.relname, i.relname"
        ),
        {"tables": list(tables)},
    ).all()
    keys = conn.execute(
        sa.text(
            "SELECT t.relname, k.conname, pg_get_constraintdef(k.oid) "
            "FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid "
            "WHERE k.contype = 'f' AND t.relnamespace = current_schema()::regnamespace "
            "  AND t.relname = ANY(:tables) "
            "ORDER BY t.relname, k.conname"
        ),
        {"tables": list(tables)},
    ).all()
    return Deferred(
        indexes=tuple((row[0], row[1], row[2]) for row in indexes),
        foreign_keys=tuple((row[0], row[1], row[2]) for row in keys),
    )


def drop(engine: Engine, tables: Sequence[str]) -> Deferred:
    """Drop the deferrable indexes and foreign keys of `tables` in one transaction."""
    with engine.begin() as conn:
        deferred = deferrable(conn, tables)
        print(
            "bulk load: dropping secondary indexes and foreign keys until the load ends; "
            "if this process is killed, restore them with:\n  "
            + "\n  ".join(deferred.restore_sql()),
            file=sys.stderr,
        )
        for table, name, _ in deferred.foreign_keys:
            conn.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for _, name, _ in deferred.indexes:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return deferred


def restore(
    engine: Engine,
    deferred: Deferred,
    *,
    workers: int,
    on_phase: Callable[[str], None],
    timings: dict[str, float],
) -> None:
    """Rebuild the indexes, then add and validate the foreign keys, on `workers` connections.

    Index builds run side by side (CREATE INDEX only takes a SHARE lock). Each foreign key is
    added NOT VALID in one short transaction, then validated on its own: VALIDATE takes a lock
    that lets the other validations (and readers) go on, and checks every row in one join.
    """
    on_phase("rebuild indexes")
    started = time.perf_counter()
    _run_parallel(engine, [definition for _, _, definition in deferred.indexes], workers)
    timings["rebuild indexes"] = time.perf_counter() - started
    on_phase("validate foreign keys")
    started = time.perf_counter()
    with engine.begin() as conn:
        for table, name, definition in deferred.foreign_keys:
            if definition.endswith("NOT VALID"):
                conn.exec_driver_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            else:
                conn.exec_driver_sql(
                    f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition} NOT VALID'
                )
    validations = [
        f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}"'
        for table, name, definition in _spread(deferred.foreign_keys)
        if not definition.endswith("NOT VALID")
    ]
    _run_parallel(engine, validations, workers)
    timings["validate foreign keys"] = time.perf_counter() - started


def _spread(keys: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Order keys round-robin over their tables: validations of one table wait for each other."""
    by_table: dict[str, list[tuple[str, str, str]]] = {}
    for key in keys:
        by_table.setdefault(key[0], []).append(key)
    lists = sorted(by_table.values(), key=len, reverse=True)
    spread = []
    for rank in range(max((len(items) for items in lists), default=0)):
        spread += [items[rank] for items in lists if rank < len(items)]
    return spread


def _run_parallel(engine: Engine, statements: Sequence[str], workers: int) -> None:
    """Run each statement in its own transaction, `workers` at a time; re-raise the first error."""
    tasks: queue.Queue[str] = queue.Queue()
    for statement in statements:
        tasks.put(statement)
    errors: list[BaseException] = []

    def work() -> None:
        with engine.connect() as conn:
            for setting, value in SESSION_SETTINGS.items():
                conn.exec_driver_sql(f"SET {setting} = '{value}'")
            conn.commit()
            try:
                while not errors:
                    try:
                        statement = tasks.get_nowait()
                    except queue.Empty:
                        return
                    conn.exec_driver_sql(statement)
                    conn.commit()
            except BaseException as exc:  # handed to the calling thread below
                errors.append(exc)
                conn.rollback()
            finally:
                for setting in SESSION_SETTINGS:
                    conn.exec_driver_sql(f"RESET {setting}")
                conn.commit()

    threads = [
        threading.Thread(target=work, name=f"bulk-restore-{n}", daemon=True)
        for n in range(max(1, min(workers, len(statements))))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
