"""Benchmark: how the trust view grows with its schools, on the stored figures (issue 18).

Uses the trust-scale benchmark's database (benchmarks.trust, built by `make bench` first):
the trust view is timed with the first 1, 5 and all 20 schools in the trust (the others
moved to a parked trust for the run, then put back), each beside its floor: fetching the
stored rows of those schools' year to date (registers_weekcount) into Python. Cost per
school flat means linear growth. Then it checks, for a sample of schools, that the stored
figures equal the marks (registers.services.stored_figures.verify).

    python -m benchmarks.trust_growth [--runs 10] [--write]
"""

from __future__ import annotations

import argparse
import os
import time

from benchmarks import trust, write_section
from benchmarks.floor import Timing, timed

HEADING = "## Trust view growth (stored figures)"
SIZES = (1, 5, 20)
SAMPLE = 3  # schools whose stored figures are checked against their marks


def _floor(school_ids: list[int], runs: int) -> Timing:
    from django.db import connection

    sql = (
        "SELECT pupil_id, week, code, mon, tue, wed, thu, fri FROM registers_weekcount "
        "WHERE school_id = ANY(%s) AND week BETWEEN %s AND %s"
    )

    def read() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [school_ids, trust.HALF_TERMS[0][1], trust.NIGHT])
            cursor.fetchall()

    read()
    return timed(read, runs)


def measure(runs: int) -> tuple[list[str], list[str]]:
    import time_machine
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from registers.models import Membership, School, Trust
    from registers.services.stored_figures import verify

    built = trust.find_trust(trust.Spec())
    if built is None:
        raise SystemExit("Build the trust first: python -m benchmarks.trust (or make bench).")
    schools = list(School.objects.filter(trust=built).order_by("urn"))
    lead = Membership.objects.get(trust=built, role=Membership.Role.TRUST).user
    client = Client()
    client.force_login(lead)
    url = reverse("reporting:trust", args=[schools[0].urn])
    rows = []
    with time_machine.travel(trust.NIGHT, tick=True):
        for size in SIZES:
            if size > len(schools):
                break
            with transaction.atomic():
                parked = Trust.objects.create(name="Benchmark parked schools")
                School.objects.filter(pk__in=[s.pk for s in schools[size:]]).update(trust=parked)
                for _ in range(2):
                    assert client.get(url).status_code == 200
                view = timed(lambda: client.get(url), runs)
                floor = _floor([s.pk for s in schools[:size]], runs)
                transaction.set_rollback(True)  # the schools go back to their trust
            rows.append(
                f"| {size} | {view.p50 * 1000:,.0f} | {view.p95 * 1000:,.0f} | "
                f"{view.p50 * 1000 / size:,.0f} | {floor.p50 * 1000:,.0f} | "
                f"{view.p50 / floor.p50:.1f}x |"
            )
            print(rows[-1], flush=True)
        checks = []
        for school in schools[:SAMPLE]:
            started = time.perf_counter()
            differences = verify(school=school)
            checks.append(
                f"- {school.name}: {len(differences)} difference(s) between the stored "
                f"figures and the marks ({time.perf_counter() - started:.1f} s to recompute)"
            )
            print(checks[-1], flush=True)
    return rows, checks


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args, _ = parser.parse_known_args(argv)
    trust.setup_django()
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment(debug=False)
    load = os.getloadavg()
    try:
        rows, checks = measure(args.runs)
    finally:
        teardown_test_environment()
    end = os.getloadavg()
    section = "\n".join(
        [
            HEADING,
            "",
            f"`python -m benchmarks.trust_growth --runs {args.runs}`: the trust view of the "
            "trust-scale benchmark (1,000 pupils a school, the whole year of marks) with the "
            "first 1, 5 and 20 schools in the trust, through Django's test client, on the "
            "last night of the year. Floor: fetching those schools' stored rows of the year "
            "to date into Python. Load average "
            f"{load[0]:.1f} before and {end[0]:.1f} after (2 CPUs, shared).",
            "",
            "| schools | p50 (ms) | p95 (ms) | p50 per school (ms) | floor p50 (ms) | ratio |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "Stored figures against the marks, for a sample of the schools:",
            "",
            *checks,
            "",
        ]
    )
    print(section)
    if args.write:
        write_section(section, HEADING)


if __name__ == "__main__":
    main()
