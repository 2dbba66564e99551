"""The "## Trust scale" section of docs/benchmarks.md, from benchmarks.scenarios' results.

Only this section is ever replaced; the other benchmarks own theirs ("## Dashboard",
"## Letters") and the file is created if missing.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

from benchmarks.scenarios import Results
from benchmarks.trust import NIGHT, Spec

HEADING = "## Trust scale"


def machine() -> dict[str, str]:
    """What the figures were measured on: they mean little without it."""
    from django.db import connection

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "postgres": f"PostgreSQL {version.split()[0]} (shared_buffers {buffers}, "
        f"work_mem {work_mem}, default settings)",
        "python": platform.python_version(),
        "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def section(spec: Spec, results: Results) -> str:
    m = machine()
    lines = [
        HEADING,
        "",
        f"`make bench` (`python -m benchmarks.run`), {dt.date.today():%-d %B %Y}: a synthetic "
        f"trust of {results.schools} secondary schools, {results.pupils:,} pupils and "
        f"{results.marks:,} marks (the whole 2025/26 year; seed {spec.seed}), in its own "
        "database (`BENCH_DATABASE_URL`), timed on the last night of the year "
        f"({NIGHT:%-d %B %Y}) after the nightly sweep has run on the nights before.",
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['ram']} RAM, {m['postgres']}, Python "
        f"{m['python']}. Load average at the end: {m['load']} (the machine is shared, and the "
        "same code's timings moved by up to half between runs on the same day: compare the "
        "ratios more than the times).",
    ]
    if results.build_s is not None:
        lines.append(f"The trust was built in {results.build_s:.0f} s (COPY, then indexes).")
    lines += [
        "",
        "Each timing is beside its floor: the least work PostgreSQL can do on the same data "
        "(benchmarks/floor.py, e.g. one `SELECT pupil_id, count(*) FILTER (WHERE code_id IN "
        "…) … GROUP BY pupil_id` over the same marks), and the ratio of the two.",
        "",
        "| what | p50 | p95 | floor | ratio | target | queries | notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in results.rows:
        verdict = {True: " ✔", False: " ✘", None: ""}[row.met]
        lines.append(
            f"| {row.name} | {_ms(row.ours.p50)} | {_ms(row.ours.p95)} | "
            f"{_ms(row.floor.p50) if row.floor else '–'} | "
            f"{f'{row.ratio:.1f}x' if row.ratio else '–'} | {row.target}{verdict} | "
            f"{row.queries if row.queries is not None else ''} | {row.note} |"
        )
    lines += [
        "",
        "How the sweep grows: the same sweep over the first 1, 5 and all schools (seconds per "
        "million year-to-date marks stays flat when the cost is linear in marks); each the "
        "median of three runs, beside the median of three runs of its floor.",
        "",
        "| schools | marks | sweep | per million marks | floor | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for step in results.scale:
        lines.append(
            f"| {step['schools']} | {step['marks']:,} | {step['seconds']:.1f} s | "
            f"{step['per_million']:.2f} s | {step['floor']:.2f} s | "
            f"{step['seconds'] / step['floor']:.1f}x |"
        )
    if results.per_school:
        per = sorted(results.per_school)
        lines += [
            "",
            f"Per school in the whole-trust sweep: fastest {per[0]:.2f} s, median "
            f"{per[len(per) // 2]:.2f} s, slowest {per[-1]:.2f} s.",
        ]
    lines += ["", "On disk (`pg_total_relation_size`, indexes `pg_relation_size`):", ""]
    lines += [f"- `{name}`: {_mb(size)}" for name, size in results.sizes]
    lines += [
        "",
        f"The whole run took {results.total_s / 60:.1f} minutes. Query counts do not grow "
        "with the number of pupils: tests/reporting/test_query_counts_scale.py. The "
        "letters' floor is the school's aggregate, so their ratio says only that rendering, "
        "not reading, is their cost. What the figures mean for 300 schools, what was "
        "profiled and what breaks first: docs/scaling.md.",
        "",
    ]
    return "\n".join(lines)
