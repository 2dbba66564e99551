"""Benchmark: the HTTP API (issue 21). Per-pupil figures of a 1,500-pupil school for the
year to date under 300 ms p95; a 58,000-row marks post within 2x of import_marks on the
same rows.

Builds the dashboard benchmark's school (benchmarks.dashboard: 1,500 pupils, this year's
autumn term and last year's first half-term marked) in a throwaway database of its own,
then times through Django's test client (middleware, token, throttle, rendering, the
access log included):

- GET /api/v1/schools/{urn}/figures/ (the year to date, every pupil on one page) with a
  pupil-level token, beside attendance_stats's record builder on its own (the floor);
- POST /api/v1/schools/{urn}/marks/ of 58,000 new rows (1,450 pupils × 20 days × AM/PM)
  as JSON and as CSV, beside import_marks of the same CSV (the floor). Before each run the
  rows' marks are deleted, so every run creates 58,000 marks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ap_bench python -m benchmarks.api
    … --runs 20 --write    # also replace the "## API" section of docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import time
import uuid

from benchmarks import write_section
from benchmarks.dashboard import PUPILS, TODAY, analyze, build_school, percentile

HEADING = "## API"
POST_PUPILS = 1450
POST_DAYS = 20  # 1,450 × 20 × 2 = 58,000 rows
FIGURES_TARGET_MS = 300
POST_RATIO_TARGET = 2.0


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendance_portal.settings")
    import django

    django.setup()


def _window(school) -> list[dt.date]:
    from registers.models import SchoolDay

    days = SchoolDay.objects.filter(
        school=school, date__gte=dt.date(2025, 11, 3), am_open=True, pm_open=True
    ).order_by("date")
    return list(days.values_list("date", flat=True)[:POST_DAYS])


def _rows(school, days: list[dt.date]) -> list[tuple[str, str, str, str, str, str]]:
    from registers.models import Mark, Pupil

    upns = list(Pupil.objects.filter(school=school).order_by("upn").values_list("upn", flat=True))[
        :POST_PUPILS
    ]
    marks = Mark.objects.filter(school=school, date__in=days, pupil__upn__in=upns)
    return [
        (u, d.isoformat(), s, c, "" if m is None else str(m), "")
        for u, d, s, c, m in marks.order_by("date", "session", "pupil__upn").values_list(
            "pupil__upn", "date", "session", "code_id", "minutes_late"
        )
    ]


def _remove(school, days: list[dt.date], upns: list[str]) -> None:
    from django.db import connection, transaction

    from benchmarks.floor import open_purge_window
    from registers.models import Mark, MarkAmendment

    with transaction.atomic():
        with connection.cursor() as cursor:
            open_purge_window(cursor)
        marks = Mark.objects.filter(school=school, date__in=days, pupil__upn__in=upns)
        MarkAmendment.objects.filter(mark__in=marks).delete()
        marks.delete()


def _timed(action, before, runs: int) -> list[float]:
    taken = []
    for _ in range(runs):
        before()
        started = time.perf_counter()
        action()
        taken.append((time.perf_counter() - started) * 1000)
    return taken


def run(runs: int, post_runs: int) -> str:
    import time_machine
    from django.db import connection
    from django.test import Client

    from attendance_portal.api.services.tokens import create_token
    from registers import figures
    from registers.management.commands.attendance_stats import pupil_records
    from registers.services.imports import CsvFile
    from registers.services.imports.marks import import_marks

    rng = random.Random(2025)
    lines: list[str] = []
    with time_machine.travel(TODAY, tick=False):
        started = time.perf_counter()
        school, _head, _governor, marks = build_school(rng)
        analyze()
        built = time.perf_counter() - started
        load = os.getloadavg()
        secret = create_token(
            name="bench", school=school, level="pupil", access="read_write", created_by_name="b"
        ).secret
        client = Client(headers={"Authorization": f"Bearer {secret}"})
        from django.conf import settings

        settings.API_RATE_PER_MINUTE = 1_000_000

        # -- per-pupil figures, the year to date ------------------------------------------
        url = f"/api/v1/schools/{school.urn}/figures/"
        params = {"limit": "5000"}
        for _ in range(2):
            assert client.get(url, params).status_code == 200
        start, end = figures.year_to_date(TODAY.date())
        # Interleaved, so that the shared machine's load weighs on both alike.
        api_ms, floor_ms = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.get(url, params)
            api_ms.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200 and len(response.json()["results"]) == PUPILS
            t0 = time.perf_counter()
            pupil_records(school=school, start=start, end=end)
            floor_ms.append((time.perf_counter() - t0) * 1000)
        p95 = percentile(api_ms, 0.95)
        lines += [
            f"| Per-pupil figures, year to date ({PUPILS:,} pupils, one page) | {runs} | "
            f"{statistics.median(api_ms):.0f} | {p95:.0f} | < {FIGURES_TARGET_MS} ms p95: "
            f"{'met' if p95 < FIGURES_TARGET_MS else 'NOT met'} | "
            f"{statistics.median(floor_ms):.0f} (attendance_stats's records alone) |",
        ]
        print(lines[-1], flush=True)

        # -- a 58,000-row marks post ------------------------------------------------------
        days = _window(school)
        rows = _rows(school, days)
        upns = sorted({r[0] for r in rows})
        columns = ("upn", "date", "session", "code", "minutes_late", "comment")
        csv_text = ",".join(columns) + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
        body = json.dumps({"marks": [dict(zip(columns, r, strict=True)) for r in rows]})
        path = f"/api/v1/schools/{school.urn}/marks/"

        def reset() -> None:
            _remove(school, days, upns)

        def post(data: str, content_type: str):
            def go() -> None:
                answer = client.post(
                    path,
                    data,
                    content_type=content_type,
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
                assert answer.status_code == 200, answer.content[:500]
                assert answer.json()["created"] == len(rows)

            return go

        def floor() -> None:
            result = import_marks(
                school=school, file=CsvFile("b.csv", csv_text.encode()), changed_by_name="b"
            )
            assert result.created == len(rows)

        floor_post = _timed(floor, reset, post_runs)
        json_post = _timed(post(body, "application/json"), reset, post_runs)
        csv_post = _timed(post(csv_text, "text/csv"), reset, post_runs)
        base = statistics.median(floor_post)
        for label, taken in (("JSON", json_post), ("CSV", csv_post)):
            ratio = statistics.median(taken) / base
            lines.append(
                f"| POST {len(rows):,} marks as {label} (all new) | {post_runs} | "
                f"{statistics.median(taken):,.0f} | {percentile(taken, 0.95):,.0f} | within "
                f"{POST_RATIO_TARGET:.0f}x of import_marks: {ratio:.2f}x, "
                f"{'met' if ratio <= POST_RATIO_TARGET else 'NOT met'} | "
                f"{base:,.0f} (import_marks of the same CSV) |"
            )
            print(lines[-1], flush=True)
    engine = connection.vendor
    if engine == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            engine += " " + cursor.fetchone()[0]
    return "\n".join(
        [
            HEADING,
            "",
            f"`python -m benchmarks.api --runs {runs}` (attendance_portal/api): the dashboard "
            f"benchmark's school ({PUPILS:,} pupils, {marks:,} marks), timed through Django's "
            "test client with a pupil-level read-write token (authentication, rate limit, "
            "rendering and the access log included).",
            f"Data as of {TODAY:%-d %b %Y}; {engine}, Python {platform.python_version()}, "
            f"{platform.machine()}, {os.cpu_count()} CPUs; data built in {built:.0f} s; load "
            f"average {load[0]:.1f} before timing and {os.getloadavg()[0]:.1f} after (the "
            "machine is shared: compare with an idle run before reading much into it).",
            "",
            "| call | runs | p50 (ms) | p95 (ms) | target | floor p50 (ms) |",
            "|---|---|---|---|---|---|",
            *lines,
            "",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--post-runs", type=int, default=3, help="timed 58,000-row posts")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args, _ = parser.parse_known_args(argv)
    _django()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment(debug=False)
    # A database of its own, so the benchmark can never touch development or test data.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "ap_bench_api"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        section = run(args.runs, args.post_runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print(section)
    if args.write:
        write_section(section, HEADING)


if __name__ == "__main__":
    main()
