"""A synthetic trust at full scale, built fast on PostgreSQL (issue 7).

Default: 20 secondary schools, 20,000 pupils and the whole 2025/26 academic year of marks
(about 7.6 million). Schools, calendars, forms, pupils and staff go in with bulk_create;
marks and registers, the bulk of the data, are streamed into the database with COPY from
CSV generated in memory one school at a time, so a school's marks are never held as model
instances. The data is deterministic for a given seed (random.Random(seed)).

It lives in its own database, never the development or test one:

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/attendance_bench  (the default)
    python -m benchmarks.trust --schools 20 --pupils 20000 --seed 2025 [--rebuild]

The database is created with `createdb` if missing and migrated. A trust that is already
there with the same schools, pupils and seed is reused (building takes minutes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

from benchmarks import pupil_flags

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/attendance_bench"
TRUST_NAME = "Benchmark Learning Trust"
YEAR = 2025  # the academic year 2025/26
# The benchmark's "tonight": the last school day of the year, so the year to date holds
# every mark and each figure is as large as it gets.
NIGHT = dt.date(2026, 7, 21)
HALF_TERMS = (
    ("Autumn 1", dt.date(2025, 9, 3), dt.date(2025, 10, 24)),
    ("Autumn 2", dt.date(2025, 11, 3), dt.date(2025, 12, 19)),
    ("Spring 1", dt.date(2026, 1, 5), dt.date(2026, 2, 13)),
    ("Spring 2", dt.date(2026, 2, 23), dt.date(2026, 3, 27)),
    ("Summer 1", dt.date(2026, 4, 13), dt.date(2026, 5, 22)),
    ("Summer 2", dt.date(2026, 6, 1), dt.date(2026, 7, 21)),
)
# Nights the sweep has already run when the benchmark starts (see sweep_history).
HISTORY_NIGHTS = (
    dt.date(2026, 5, 22),
    *(dt.date(2026, 7, d) for d in (15, 16, 17, 20)),
)
FORM_SIZE = 30
# Why each absence happened, weighted roughly as DfE statistics for secondaries: illness
# most of all, then unauthorised "other" absence, medical appointments, holidays …
ABSENCE_CODES = ["I"] * 52 + ["O"] * 14 + ["M"] * 10 + ["G"] * 8 + ["U"] * 5 + ["N"] * 3 + ["C"] * 3
ABSENCE_CODES += ["E", "R", "S", "V", "P"]  # the rare ones, one in a hundred each
# The moment every generated row was "written"; constant so the CSV stays cheap to build.
STAMP = "2026-07-21 16:00:00+00"


@dataclass(frozen=True)
class Spec:
    schools: int = 20
    pupils: int = 20_000
    seed: int = 2025

    @property
    def label(self) -> str:
        """Stored as the trust's name, so a later run can tell whether it may reuse it."""
        return f"{TRUST_NAME} ({self.schools} schools, {self.pupils} pupils, seed {self.seed})"

    def roll(self, index: int) -> int:
        """Pupils of school `index` (the remainder goes to the first schools)."""
        base, extra = divmod(self.pupils, self.schools)
        return base + (1 if index < extra else 0)


# --- The database ---------------------------------------------------------------------


def bench_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def ensure_database(url: str) -> None:
    """createdb the benchmark database if it is not there yet."""
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    server = dict(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        dbname="postgres",
    )
    if parts.password:
        server["password"] = parts.password
    with psycopg2.connect(**server) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone():
            return
    print(f"creating database {name}", flush=True)
    env = {**os.environ, "PGPASSWORD": parts.password or ""}
    subprocess.run(
        ["createdb", "-h", server["host"], "-p", str(server["port"]), "-U", server["user"], name],
        check=True,
        env=env,
    )


def setup_django(url: str | None = None) -> None:
    """Point Django at the benchmark database, create and migrate it."""
    url = url or bench_url()
    if not url.startswith("postgres"):
        sys.exit("The trust benchmark needs PostgreSQL (COPY): set BENCH_DATABASE_URL.")
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendance_portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- Reuse --------------------------------------------------------------------------


def find_trust(spec: Spec):
    """The trust built earlier with this spec, if its build finished; else None."""
    from registers.models import Trust

    # A build is named "… (building)" until its last step, so a build that was stopped
    # midway is never mistaken for a complete one.
    return Trust.objects.filter(name=spec.label).first()


def drop_everything() -> None:
    """Empty every table of the benchmark database (a different spec, or --rebuild).

    TRUNCATE rather than DELETE: it is instant at millions of rows, and the append-only
    triggers (BEFORE UPDATE OR DELETE) rightly refuse row deletes of history tables. The
    marks refuse TRUNCATE too outside the purge window (registers 0021), opened here.
    """
    from django.db import connection

    from registers.services.privacy import history_deletion_window

    tables = [
        t
        for t in connection.introspection.table_names()
        if t.startswith(("registers_", "escalation_", "reporting_"))
        and t != "registers_attendancecode"  # reference data from a migration
    ]
    with history_deletion_window(), connection.cursor() as cursor:
        # CASCADE also empties the join tables of users (groups, memberships' forms).
        cursor.execute(f"TRUNCATE {', '.join([*tables, 'auth_user'])} RESTART IDENTITY CASCADE")


# --- Building -------------------------------------------------------------------------


def _propensity(rng: random.Random) -> float:
    """A pupil's chance of starting an absence in a session. Illness, holidays and other
    absences then run on as spells (mark_rows), which about doubles the sessions missed:
    about 94% attendance overall, 12% of pupils persistently absent, 1.5% severely."""
    roll = rng.random()
    if roll < 0.015:
        return rng.uniform(0.25, 0.4)
    if roll < 0.12:
        return rng.uniform(0.05, 0.12)
    return rng.uniform(0.0, 0.03)


def _calendar(school, rng: random.Random) -> None:
    """Six half-terms, two INSET days and one afternoon closure of the school's choosing."""
    from registers.models import AcademicYear, Closure, HalfTerm
    from registers.services.calendar import rebuild_school_days, weekdays

    year = AcademicYear.objects.create(school=school, start_year=YEAR)
    terms = HalfTerm.objects.bulk_create(
        [
            HalfTerm(school=school, academic_year=year, name=n, start_date=s, end_date=e)
            for n, s, e in HALF_TERMS
        ]
    )
    days = [d for t in terms[:-1] for d in weekdays(t.start_date, t.end_date)]
    inset = rng.sample(days, 2)
    afternoon = rng.choice([d for d in days if d not in inset])
    closures = [
        Closure(school=school, date=d, session=s, reason="INSET")
        for d in inset
        for s in ("AM", "PM")
    ]
    closures.append(Closure(school=school, date=afternoon, session="PM", reason="Sports day"))
    Closure.objects.bulk_create(closures)
    rebuild_school_days(school=school)


def _pupils(school, index: int, count: int, rng: random.Random) -> list:
    from registers.models import Form, Pupil

    forms_needed = max(1, math.ceil(count / FORM_SIZE))
    per_year = math.ceil(forms_needed / 5)
    forms = Form.objects.bulk_create(
        [
            Form(school=school, name=f"{7 + n // per_year}{'ABCDEFGHJKLMNPRSTVWXYZ'[n % per_year]}")
            for n in range(forms_needed)
        ]
    )
    start, end = HALF_TERMS[0][1], HALF_TERMS[-1][2]
    pupils = []
    for n in range(count):
        form = forms[n // FORM_SIZE]
        admitted, left = dt.date(2021 + rng.randrange(5), 9, 1), None
        churn = rng.random()
        if churn < 0.03:  # joined during the year
            admitted = start + dt.timedelta(days=rng.randrange((end - start).days))
        elif churn < 0.06:  # left during the year
            left = start + dt.timedelta(days=rng.randrange((end - start).days))
        pupils.append(
            Pupil(
                school=school,
                upn=f"T{index:03d}{n:08d}{n % 10}",
                forename=f"Pupil{n}",
                surname=f"School{index}-{n:05d}",
                date_of_birth=dt.date(2010 + (n % 5), 1 + n % 12, 1 + n % 28),
                year_group=form.name[:-1],
                form=form,
                admission_date=admitted,
                leaving_date=left,
                gender="FM"[n % 2],
                **pupil_flags(rng),
            )
        )
    return Pupil.objects.bulk_create(pupils, batch_size=2000)


def _staff(school, index: int) -> None:
    """A head, an officer and a teacher per school; no passwords (benchmarks force_login)."""
    from django.contrib.auth import get_user_model

    from registers.models import Membership

    User = get_user_model()
    Role = Membership.Role
    users = User.objects.bulk_create(
        [User(username=f"bench-{role}-{index:03d}") for role in ("head", "officer", "teacher")]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, school=school, role=role)
            for user, role in zip(users, (Role.HEAD, Role.OFFICER, Role.TEACHER), strict=True)
        ]
    )


@dataclass
class _Roll:
    """What the generator needs of one school: its open sessions and its forms' pupils."""

    school_id: int
    open: set[tuple[dt.date, str]]
    forms: list[tuple[int, list[list]]]  # (form id, [pupil id, admitted, left, p, spell])


def _roll(school, pupils: list, rng: random.Random) -> _Roll:
    from registers.services.calendar import open_sessions

    sessions = open_sessions(school=school, start=HALF_TERMS[0][1], end=HALF_TERMS[-1][2])
    forms: dict[int, list[list]] = {}
    for pupil in pupils:
        forms.setdefault(pupil.form_id, []).append(
            [
                pupil.pk,
                pupil.admission_date,
                pupil.leaving_date or dt.date.max,
                _propensity(rng),
                "",
            ]
        )
    return _Roll(school.pk, set(sessions), sorted(forms.items()))


def mark_rows(rolls: list[_Roll], rng: random.Random) -> Iterator[str]:
    """Tab-separated COPY rows of every mark, in the order registers arrive.

    Each morning and afternoon every school takes its registers at about the same time,
    so the rows of a session interleave the schools form by form, as they do in a live
    table; one school's year is then spread across the table's pages, not packed together
    (which would flatter every per-school query). Columns: MARK_COLUMNS; \\N is NULL in
    COPY's text format.
    """
    random_, choice, randint = rng.random, rng.choice, rng.randint
    sessions = sorted({key for roll in rolls for key in roll.open})
    widest = max(len(roll.forms) for roll in rolls)
    for day, session in sessions:
        when = f"{day.isoformat()}\t{session}\t"
        # "\\\\" is COPY's escape of the afternoon's present mark, a single backslash.
        present = "/" if session == "AM" else "\\\\"
        rest = "\t\\N\t\tregister\t\\N\n"
        open_now = [roll for roll in rolls if (day, session) in roll.open]
        for index in range(widest):
            for roll in open_now:
                if index >= len(roll.forms):
                    continue
                head = f"{STAMP}\t{STAMP}\t{roll.school_id}\t"
                for pupil in roll.forms[index][1]:
                    pk, admitted, left, likely, spell = pupil
                    if day < admitted or day > left:
                        continue
                    # An illness lasts days, not sessions: a spell goes on with this chance.
                    if spell and random_() < 0.6:
                        code = spell
                    elif random_() < likely:
                        code = choice(ABSENCE_CODES)
                        pupil[4] = code if code in ("I", "O", "G") else ""
                    else:
                        pupil[4] = ""
                        if random_() < 0.025:
                            # Late before the register closed: present, with the minutes.
                            late = randint(2, 25)
                            yield f"{head}{pk}\t{when}L\t{late}\t\tregister\t\\N\n"
                            continue
                        code = present
                    yield f"{head}{pk}\t{when}{code}{rest}"


def register_rows(rolls: list[_Roll], rng: random.Random) -> Iterator[str]:
    """One taken Register per form and open session (the day view reads these)."""
    for roll in rolls:
        for day, session in sorted(roll.open):
            minute = "08:4" if session == "AM" else "13:1"
            for form_id, _ in roll.forms:
                taken = f"{day.isoformat()} {minute}{rng.randrange(10)}:00+00"
                yield (
                    f"{STAMP}\t{STAMP}\t{roll.school_id}\t{form_id}\t{day}\t{session}\t"
                    f"\\N\t{taken}\t1\n"
                )


def copy_rows(table: str, columns: str, rows: Iterator[str], *, progress: bool = False) -> int:
    """COPY the rows in 8 MB chunks: bounded memory, few round trips."""
    from django.db import connection

    count, size, report = 0, 0, 1_000_000
    buffer: list[str] = []

    def flush() -> None:
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {table} ({columns}) FROM STDIN", io.StringIO("".join(buffer))
            )

    for row in rows:
        buffer.append(row)
        size += len(row)
        count += 1
        if size > 8_000_000:
            flush()
            buffer, size = [], 0
            if progress and count >= report:
                print(f"  … {count:,} rows", flush=True)
                report += 1_000_000
    if buffer:
        flush()
    return count


MARK_COLUMNS = (
    "created_at, updated_at, school_id, pupil_id, date, session, code_id, minutes_late, "
    "comment, source, recorded_by_id"
)
REGISTER_COLUMNS = (
    "created_at, updated_at, school_id, form_id, date, session, taken_by_id, taken_at, version"
)


# The loading trick: COPY into registers_mark with only its primary key and the one-mark-
# per-session constraint, then build the other indexes once over the whole table. Measured
# here: 4.2 s -> 1.6 s per 75,000 marks, and one CREATE INDEX is far cheaper than 7.6
# million index insertions. Their definitions are parked in a table of the benchmark
# database first, so a build killed midway still gets them back on the next run.


def _park_mark_indexes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_parked_index (name text PRIMARY KEY, sql text)"
        )
        cursor.execute(
            """
            INSERT INTO bench_parked_index (name, sql)
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = 'registers_mark' AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname
            )
            ON CONFLICT (name) DO NOTHING
            """
        )
        cursor.execute("SELECT name FROM bench_parked_index")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore_parked_indexes() -> None:
    """Build the parked indexes (after a load, or after a build that was stopped)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_parked_index')")
        if cursor.fetchone()[0] is None:
            return
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SELECT name, sql FROM bench_parked_index ORDER BY name")
        for name, sql in cursor.fetchall():
            print(f"  index {name} …", flush=True)
            cursor.execute(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
            cursor.execute("DELETE FROM bench_parked_index WHERE name = %s", [name])
        cursor.execute("RESET maintenance_work_mem")


def build_trust(spec: Spec):
    """Build the trust; returns it. Prints its progress."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from registers.models import Membership, School, Trust

    rng = random.Random(spec.seed)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # A bulk load: losing it in a crash only means building again.
        cursor.execute("SET synchronous_commit = off")
        # Skip the foreign-key triggers during COPY: every id written was created just
        # before by this build, so the checks could only pass (needs a superuser).
        cursor.execute("SET session_replication_role = replica")
    _park_mark_indexes()
    trust = Trust.objects.create(name=f"{spec.label} (building)")
    lead = get_user_model().objects.create(username="bench-trust-lead")
    Membership.objects.create(user=lead, trust=trust, role=Membership.Role.TRUST)
    rolls = []
    for index in range(spec.schools):
        with transaction.atomic():
            school = School.objects.create(
                urn=f"{800000 + index:06d}",
                name=f"Benchmark Academy {index + 1:03d}",
                phase=School.Phase.SECONDARY,
                trust=trust,
            )
            _calendar(school, rng)
            pupils = _pupils(school, index, spec.roll(index), rng)
            _staff(school, index)
        rolls.append(_roll(school, pupils, rng))
    print(
        f"  {spec.schools} schools, calendars and pupils in {time.perf_counter() - started:.0f} s"
    )
    total = copy_rows("registers_mark", MARK_COLUMNS, mark_rows(rolls, rng), progress=True)
    copy_rows("registers_register", REGISTER_COLUMNS, register_rows(rolls, rng))
    print(f"  {total:,} marks copied in {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("RESET session_replication_role")
        cursor.execute("RESET synchronous_commit")
    restore_parked_indexes()
    store_figures(trust)
    print("  VACUUM ANALYZE (as autovacuum would after a load) …", flush=True)
    with connection.cursor() as cursor:
        for table in ("registers_mark", "registers_register", "registers_pupil", WEEKCOUNT):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute("ANALYZE")
    sweep_history(trust)
    trust.name = spec.label
    trust.save(update_fields=["name", "updated_at"])
    print(f"  built {total:,} marks in {time.perf_counter() - started:.0f} s", flush=True)
    return trust


WEEKCOUNT = "registers_weekcount"


def store_figures(trust) -> None:
    """The stored figures of every school from its marks, as the backfill migration makes
    them (the marks went in with COPY, past the services that keep them in step)."""
    from registers.models import School
    from registers.services.stored_figures import refresh

    started = time.perf_counter()
    for school in School.objects.filter(trust=trust).order_by("urn"):
        refresh(school=school)
    print(f"  stored figures in {time.perf_counter() - started:.0f} s", flush=True)


def sweep_history(trust) -> None:
    """Run the nightly sweep on nights before the benchmark's, as the worker did: the end
    of the last half-term (the first sweep: it opens the cases; band movement's stored
    snapshot) and the four school days before NIGHT (bands settle after three nights and
    queue their letters, then the cool-down holds). Tonight's sweep then does an ordinary
    night's work: new figures for everyone, a few new cases and letters.

    The sweep service itself, not its task: the task also hands the night's letters to the
    letters queue, which with eager Celery renders them here, one WeasyPrint PDF each:
    7,600 letters over these nights at 0.15 s each, about 20 minutes (measured on the
    default trust). Rendering is the letters worker's work and benchmarks.letters times
    it; the sweep only reads its own events."""
    from escalation.services.sweep import run_sweep
    from registers.models import School

    schools = list(School.objects.filter(trust=trust).order_by("urn"))
    for night in HISTORY_NIGHTS:
        started = time.perf_counter()
        for school in schools:
            run_sweep(school=school, as_of=night)
        taken = time.perf_counter() - started
        print(f"  history: swept {len(schools)} schools for {night} in {taken:.0f} s", flush=True)


def get_or_build(spec: Spec, *, rebuild: bool = False):
    """The trust for this spec: reused if present and complete, else built from empty."""
    trust = None if rebuild else find_trust(spec)
    if trust is not None:
        print(f"reusing {spec.label}", flush=True)
        return trust, False
    print(f"building {spec.label}", flush=True)
    restore_parked_indexes()  # a build stopped midway may have left them parked
    drop_everything()
    return build_trust(spec), True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--schools", type=int, default=Spec.schools)
    parser.add_argument("--pupils", type=int, default=Spec.pupils)
    parser.add_argument("--seed", type=int, default=Spec.seed)
    parser.add_argument("--rebuild", action="store_true", help="build even if present")


def spec_from(args: argparse.Namespace) -> Spec:
    return Spec(schools=args.schools, pupils=args.pupils, seed=args.seed)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args, _ = parser.parse_known_args(argv)
    setup_django()
    get_or_build(spec_from(args), rebuild=args.rebuild)


if __name__ == "__main__":
    main()
