"""`make bench`: the trust-scale benchmark, then every other benchmark module.

1. Builds (or reuses) the synthetic trust of benchmarks.trust in its own database
   (BENCH_DATABASE_URL) and times, each beside its floor (benchmarks.floor): a marks
   import, the nightly sweep of the whole trust school by school as the worker runs it
   (and at 1, 5 and 20 schools), one school's sweep, attendance_stats, the headteacher's
   dashboard and the trust view (server time through Django's test client), saving a class
   register and the termly letters' per-letter cost. Writes the "## Trust scale" section
   of docs/benchmarks.md.
2. Runs the other modules of this package that have a main() (benchmarks.dashboard,
   benchmarks.letters …), each in a process of its own with the same arguments, since each
   sets up Django its own way. `--trust-only` skips them.

    python -m benchmarks.run [--schools 20 --pupils 20000 --seed 2025] [--runs 20]
                             [--rebuild] [--no-write] [--trust-only]
"""

from __future__ import annotations

import argparse
import os
import pkgutil
import subprocess
import sys
import time

import benchmarks
from benchmarks import trust

OWN_MODULES = {"run", "trust", "floor", "scenarios", "report", "setup"}


def run_trust(args: argparse.Namespace) -> None:
    trust.setup_django()
    import time_machine
    from django.test.utils import setup_test_environment, teardown_test_environment

    from benchmarks import report, scenarios

    # The test client's host and a non-DEBUG run (no query log kept in memory).
    setup_test_environment(debug=False)
    started = time.perf_counter()
    try:
        spec = trust.spec_from(args)
        built_trust, built = trust.get_or_build(spec, rebuild=args.rebuild)
        build_s = time.perf_counter() - started
        with time_machine.travel(scenarios.EVENING, tick=True):
            results = scenarios.run_all(built_trust, runs=args.runs)
        results.build_s = build_s if built else None
        results.total_s = time.perf_counter() - started
        section = report.section(spec, results)
    finally:
        teardown_test_environment()
    print(section, flush=True)
    if args.write:
        benchmarks.write_section(section, report.HEADING)
        print(f"wrote the {report.HEADING!r} section of {benchmarks.DOCS}", flush=True)


def run_others(argv: list[str], *, write: bool) -> int:
    """The other benchmark modules, one process each; returns how many failed.

    They run on PostgreSQL too (each builds a database of its own there): DATABASE_URL
    defaults to the trust benchmark's server, and they write their sections unless
    --no-write was given."""
    failed = 0
    env = {**os.environ}
    env.setdefault("DATABASE_URL", trust.bench_url())
    argv = [*argv, "--write"] if write and "--write" not in argv else argv
    for module in pkgutil.iter_modules(benchmarks.__path__):
        if module.name in OWN_MODULES or module.name.startswith("_"):
            continue
        print(f"== benchmarks.{module.name}", flush=True)
        # Their own argument parsers ignore ours (parse_known_args) and vice versa.
        done = subprocess.run([sys.executable, "-m", f"benchmarks.{module.name}", *argv], env=env)
        failed += done.returncode != 0
    return failed


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    trust.add_arguments(parser)
    parser.add_argument("--runs", type=int, default=20, help="requests per page timed")
    parser.add_argument("--no-write", dest="write", action="store_false")
    parser.add_argument("--trust-only", action="store_true")
    args, _ = parser.parse_known_args(argv)
    print("== benchmarks.trust (trust scale)", flush=True)
    run_trust(args)
    if args.trust_only:
        return 0
    argv = [a for a in argv if a != "--no-write"]
    return 1 if run_others(argv, write=args.write) else 0


if __name__ == "__main__":
    raise SystemExit(main())
