"""The marks table partitioned (registers 0021) or one table (0020), on the benchmark trust:
the nightly sweep of the whole trust and the headteacher's dashboard, each way, and the
time of the upgrade (0020 to 0021) and of going back. A one-off comparison for
docs/scaling.md, not part of `make bench` (no main(): benchmarks.run skips it); it migrates
the benchmark database back and forth, so it leaves it partitioned as migrations do.

    BENCH_DATABASE_URL=postgres://… python -m benchmarks.partitions [--schools 3 --pupils 4500]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from benchmarks import trust


def _measure(built, label: str, runs: int) -> str:
    import time_machine
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from benchmarks import scenarios
    from registers.models import Membership

    with time_machine.travel(scenarios.EVENING, tick=True):
        schools = scenarios._schools(built)
        scenarios._sweep(schools[:1])  # warm the cache as the other side was
        sweep = scenarios._sweep(schools)
        school = schools[0]
        head = Membership.objects.get(school=school, role=Membership.Role.HEAD).user
        client = Client()
        client.force_login(head)
        url = reverse("reporting:dashboard", args=[school.urn])
        dashboard, queries = scenarios._page(client, url, runs)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'registers_mark'::regclass"
        )
        partitions = cursor.fetchone()[0]
    return (
        f"{label} ({partitions} partitions): sweep of {len(schools)} schools "
        f"{sum(sweep):.2f} s ({', '.join(f'{t:.2f}' for t in sweep)}); "
        f"dashboard p50 {dashboard.p50 * 1000:.0f} ms, p95 {dashboard.p95 * 1000:.0f} ms "
        f"over {runs} requests, {queries} queries"
    )


def _migrate(target: str) -> str:
    """Migrate, then VACUUM (ANALYZE) the new table as the upgrade step says: index-only
    scans need its visibility map, which a freshly copied table does not have yet."""
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", "registers", target, verbosity=0, interactive=False)
    migrated = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) registers_mark")
    vacuumed = time.perf_counter() - started - migrated
    return f"migrate {migrated:.1f} s, then VACUUM (ANALYZE) {vacuumed:.1f} s"


def compare(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    trust.add_arguments(parser)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    trust.setup_django()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)
    built, _ = trust.get_or_build(trust.spec_from(args))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registers_mark")
        marks = cursor.fetchone()[0]
    print(f"{marks:,} marks; load average {os.getloadavg()}", flush=True)
    print(_measure(built, "partitioned", args.runs), flush=True)
    print(f"back to one table (0020): {_migrate('0020_pupil_photos')}", flush=True)
    print(_measure(built, "one table", args.runs), flush=True)
    print(f"upgrade to partitions (0021): {_migrate('0021_mark_partitions')}", flush=True)
    print(_measure(built, "partitioned again", args.runs), flush=True)
    print(f"load average {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    compare(sys.argv[1:])
