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
    "work_mem": "256MB",  # a validation's hash join of a few million keys, without spilling
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
    """Add the foreign keys NOT VALID, then rebuild indexes and validate keys on `workers` lines.

    Adding a key NOT VALID takes a moment (no scan), so all of them go first, in one
    transaction. Then every index build and every validation is a task, longest first, run by
    whichever connection is free: index builds of one table run side by side (CREATE INDEX takes
    a SHARE lock), while a validation, which checks every row in one join, needs its table to
    itself (its lock conflicts with an index build and with another validation on that table),
    so it runs beside the work on other tables instead of after all of it. Each table is
    analyzed last.
    """
    on_phase("restore indexes and foreign keys")
    started = time.perf_counter()
    with engine.begin() as conn:
        for table, name, definition in deferred.foreign_keys:
            suffix = "" if definition.endswith("NOT VALID") else " NOT VALID"
            conn.exec_driver_sql(
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}{suffix}'
            )
        sizes = dict(
            conn.execute(
                sa.text(
                    "SELECT relname, pg_relation_size(oid) FROM pg_class "
                    "WHERE relnamespace = current_schema()::regnamespace AND relname = ANY(:t)"
                ),
                {"t": list({table for table, _, _ in deferred.indexes + deferred.foreign_keys})},
            ).all()
        )
    tasks = [
        _Task(
            table,
            False,
            definition,
            sizes.get(table, 0) * (4 if " USING gin " in definition else 1),
        )
        for table, _, definition in deferred.indexes
    ] + [
        _Task(
            table, True, f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}"', sizes.get(table, 0)
        )
        for table, name, definition in deferred.foreign_keys
        if not definition.endswith("NOT VALID")
    ]
    tasks.sort(key=lambda task: -task.cost)
    # Then statistics: the planner knows nothing yet of the loaded rows or of the rebuilt
    # expression indexes (at 300,000 bookings reconcile took 8.9 s before, 3.4 s after).
    tasks += [_Task(table, True, f'ANALYZE "{table}"', 0, last=True) for table in sorted(sizes)]
    _run_tasks(engine, tasks, workers)
    timings["restore indexes and foreign keys"] = time.perf_counter() - started


@dataclass(frozen=True, slots=True)
class _Task:
    table: str
    validates: bool  # a validation needs its table to itself; index builds share it
    statement: str
    cost: int  # the table's size in bytes, four times for a GIN index: the longest go first
    last: bool = False  # waits until everything else on its table is done


def _run_tasks(engine: Engine, tasks: Sequence[_Task], workers: int) -> None:
    """Run each task in its own transaction on `workers` connections; re-raise the first error."""
    pending = list(tasks)
    building: dict[str, int] = {}  # table -> index builds running
    validating: set[str] = set()
    errors: list[BaseException] = []
    ready = threading.Condition()

    def runnable(task: _Task) -> bool:
        if task.last and any(other.table == task.table for other in pending if other is not task):
            return False
        if task.validates:
            return task.table not in validating and not building.get(task.table)
        return task.table not in validating

    def take() -> _Task | None:
        with ready:
            while pending and not errors:
                task = next((task for task in pending if runnable(task)), None)
                if task is not None:
                    pending.remove(task)
                    if task.validates:
                        validating.add(task.table)
                    else:
                        building[task.table] = building.get(task.table, 0) + 1
                    return task
                ready.wait()
            return None

    def finish(task: _Task) -> None:
        with ready:
            if task.validates:
                validating.discard(task.table)
            else:
                building[task.table] -= 1
            ready.notify_all()

    def work() -> None:
        with engine.connect() as conn:
            for setting, value in SESSION_SETTINGS.items():
                conn.exec_driver_sql(f"SET {setting} = '{value}'")
            conn.commit()
            try:
                while (task := take()) is not None:
                    try:
                        conn.exec_driver_sql(task.statement)
                        conn.commit()
                    finally:
                        finish(task)
            except BaseException as exc:  # handed to the calling thread below
                conn.rollback()
                with ready:
                    errors.append(exc)
                    ready.notify_all()
            finally:
                for setting in SESSION_SETTINGS:
                    conn.exec_driver_sql(f"RESET {setting}")
                conn.commit()

    threads = [
        threading.Thread(target=work, name=f"bulk-restore-{n}", daemon=True)
        for n in range(max(1, min(workers, len(tasks))))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
