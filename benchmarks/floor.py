"""The floor of each benchmark: the least work PostgreSQL can do on the same data.

Every timing in benchmarks.run is reported beside one of these, as a ratio. They are
written by hand against the tables, skip everything the application adds (on-roll dates,
closed sessions, Python, templates) and fetch their whole result, as the application must.
Timing helpers shared by the trust benchmark live here too.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from registers import codes


def _literal(values: frozenset[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values))


# The code lists are constants of registers.codes, never input: no injection.
COUNTS_BY_PUPIL = (
    "SELECT pupil_id, "  # noqa: S608
    + ", ".join(
        f"count(*) FILTER (WHERE code_id IN ({_literal(v)})) AS {k}"
        for k, v in codes.COUNT_CATEGORIES.items()
    )
    + " FROM registers_mark WHERE school_id = ANY(%s) AND date BETWEEN %s AND %s"
    " GROUP BY pupil_id"
)


# --- Timing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    runs: list[float]  # seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.runs)

    @property
    def p95(self) -> float:
        ordered = sorted(self.runs)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def total(self) -> float:
        return sum(self.runs)


def timed(action: Callable[[], object], runs: int = 1, *, before=None) -> Timing:
    """Run `action` `runs` times; `before` (untimed) resets the state between runs."""
    taken = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        taken.append(time.perf_counter() - started)
    return Timing(taken)


def open_purge_window(cursor) -> None:
    """Let this transaction delete marks (registers 0007 refuses it otherwise).

    Marks are kept six years and only the retention purge may delete them; the benchmark
    opens the same window to put its synthetic trust back as it was after a timed write
    (the register it saved, the half-term it imported). Never outside its own database.
    """
    cursor.execute("SELECT set_config('portal.retention_purge', 'on', true)")


# --- The floors -----------------------------------------------------------------------


def counts_by_pupil(school_ids: Sequence[int], start: dt.date, end: dt.date) -> int:
    """One GROUP BY over the marks: what every figure of the portal boils down to."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(COUNTS_BY_PUPIL, [list(school_ids), start, end])
        return len(cursor.fetchall())


def aggregate_floor(
    school_ids: Sequence[int], start: dt.date, end: dt.date, runs: int = 3
) -> Timing:
    """The aggregate, warm: one untimed run first, as the timings it is compared with."""
    counts_by_pupil(school_ids, start, end)
    return timed(lambda: counts_by_pupil(school_ids, start, end), runs)


def copy_floor(rows: str) -> float:
    """COPY these tab-separated mark rows in and commit: the least work an import can do.
    The caller deletes them again."""
    from django.db import connection, transaction

    from benchmarks.trust import MARK_COLUMNS

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY registers_mark ({MARK_COLUMNS}) FROM STDIN", io.StringIO(rows)
        )
    return time.perf_counter() - started


def insert_floor(rows: list[tuple], runs: int) -> Timing:
    """One multi-row INSERT of a register's marks and its commit, deleted after each run:
    the least work saving a register can do."""
    from django.db import connection, transaction

    values = ", ".join(["(now(), now(), %s, %s, %s, %s, %s, '', 'register')"] * len(rows))
    sql = (
        "INSERT INTO registers_mark (created_at, updated_at, school_id, pupil_id, date, "  # noqa: S608
        f"session, code_id, comment, source) VALUES {values} RETURNING id"
    )
    params = [value for row in rows for value in row]
    ids: list[int] = []

    def insert() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids[:] = [r[0] for r in cursor.fetchall()]

    def clear() -> None:
        if ids:
            with transaction.atomic(), connection.cursor() as cursor:
                open_purge_window(cursor)
                cursor.execute("DELETE FROM registers_mark WHERE id = ANY(%s)", [ids])

    timing = timed(insert, runs, before=clear)
    clear()
    return timing
