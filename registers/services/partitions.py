"""The marks table's partitions, one per academic year (PostgreSQL only; migration 0021).

A mark can only be written into a year that has its partition: there is no DEFAULT
partition to catch strays (attaching a year would then have to scan it, and a stray mark
there would block it). So every year is made before its first mark: the calendar's setup
makes the years its half-terms span (registers.services.calendar.rebuild_school_days), and
beat runs `ensure_mark_partitions_task` daily for this academic year and the next.
Partitions are made by the database function registers_mark_add_partition(), which also
creates the statement-level triggers PostgreSQL does not clone to a partition.

A year's partition is dropped only by the retention purge, inside its purge window, once
it is empty and wholly older than the retention horizon: the purge removes marks pupil by
pupil (six years after each pupil leaves), so a year empties only when its last pupil is
purged, in every school. On SQLite (development) marks are one table and these do nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

logger = logging.getLogger(__name__)

PARTITION_NAME = re.compile(r"^registers_mark_y(\d{4})$")


class PurgeWindowClosed(RuntimeError):
    """Called outside the retention purge's window: nothing was dropped."""


def academic_year(day: dt.date) -> int:
    """The year an academic year starts in: 1 August to 31 July."""
    return day.year if day.month >= 8 else day.year - 1


def _is_partitioned(using: str) -> bool:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table "
            "WHERE partrelid = to_regclass('registers_mark'))"
        )
        return bool(cursor.fetchone()[0])


def mark_partitions(*, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """The academic years that have a marks partition, oldest first."""
    if not _is_partitioned(using):
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'registers_mark'::regclass"
        )
        names = [name for (name,) in cursor.fetchall()]
    return sorted(int(m.group(1)) for name in names if (m := PARTITION_NAME.match(name)))


def ensure_mark_partitions(
    *, first_day: dt.date, last_day: dt.date, using: str = DEFAULT_DB_ALIAS
) -> list[int]:
    """Make the partition of every academic year from first_day's to last_day's that has
    none; returns the years made. Idempotent; a year that exists is not touched (and takes
    no lock). Making one briefly locks the marks table, so it runs from setup and beat,
    never from a register save."""
    if not _is_partitioned(using):
        return []
    have = set(mark_partitions(using=using))
    made = []
    for year in range(academic_year(first_day), academic_year(last_day) + 1):
        if year in have:
            continue
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            cursor.execute("SELECT registers_mark_add_partition(%s)", [year])
            if cursor.fetchone()[0]:
                made.append(year)
    if made:
        logger.info("marks partitions made for academic years %s", made)
    return made


def ensure_coming_partitions(*, today: dt.date, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """This academic year's partition and next year's."""
    return ensure_mark_partitions(
        first_day=today, last_day=dt.date(academic_year(today) + 1, 8, 1), using=using
    )


def drop_empty_mark_partitions(*, before: dt.date, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """Detach and drop every marks partition that ends on or before `before` (the retention
    horizon) and holds no mark; returns the years dropped. For the retention purge only:
    the caller must hold the purge window open (registers.services.privacy). Each year is
    locked before it is checked, so a mark written meanwhile keeps its partition; a year
    that cannot be locked at once (or fails) is left for the next purge."""
    dropped: list[int] = []
    connection = connections[using]
    if not _is_partitioned(using):
        return dropped
    with connection.cursor() as cursor:
        cursor.execute("SELECT portal_retention_purge_open()")
        if not cursor.fetchone()[0]:
            raise PurgeWindowClosed("marks partitions are dropped only inside the purge window")
        # The purge's deletions leave the amendments' deferred foreign-key checks pending,
        # and a table with pending trigger events cannot be dropped: check them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for year in mark_partitions(using=using):
        if dt.date(year + 1, 8, 1) > before:
            continue
        name = f"registers_mark_y{year}"
        try:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {name} IN SHARE MODE NOWAIT")
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")  # noqa: S608 (our name)
                if cursor.fetchone()[0]:
                    continue
                cursor.execute(f"ALTER TABLE registers_mark DETACH PARTITION {name}")
                cursor.execute(f"DROP TABLE {name}")
        except DatabaseError:
            logger.warning("marks partition %s not dropped this time", name, exc_info=True)
            continue
        dropped.append(year)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's initially deferred
    if dropped:
        logger.info("empty marks partitions dropped: academic years %s", dropped)
    return dropped
