"""Benchmark: lesson registers of a 1,500-pupil secondary with 6 periods a day (issue 19).

Targets: saving a lesson register of 30 pupils p95 < 100 ms; the internal-truancy alert
list of the school at the end of the day (9,000 lesson marks) p95 < 200 ms. Both timed as
server time through Django's test client with DEBUG off (middleware, permissions, queries,
forms, templates).

Builds a throwaway database: 50 forms of 30, six subjects a form, each taught once a day
(300 lessons a day, each teacher one class a period), this morning's and this afternoon's
registration (a few absent), then takes two thirds of the day's lesson registers in bulk.
The timed saves take the remaining registers through the page, one lesson each (30 pupils,
one absent though present at registration: an alert raised in the same transaction), so the
day ends with 9,000 lesson marks; then the alert list is timed.

Floors: for the save, the same rows written without the application (30 lesson marks
inserted, the register stamped); for the list, its selector alone (the queries, no page).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ap_bench python -m benchmarks.lessons
    … --runs 100 --write    # also replace the "## Lesson registers" section of docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import time

from benchmarks import forms_and_pupils, pupil_flags, write_section
from benchmarks.floor import Timing
from benchmarks.register_page import measured, uninstrument_templates

DAY = dt.date(2025, 9, 8)  # a Monday of Autumn 1, week A
END_OF_DAY = dt.datetime(2025, 9, 8, 15, 30)
FORMS, PER_FORM, PERIODS = 50, 30, 6
SUBJECTS = ("Maths", "English", "Science", "History", "French", "PE")
HEADING = "## Lesson registers"
SAVE_TARGET_MS, LIST_TARGET_MS = 100, 200


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendance_portal.settings")
    import django

    django.setup()


def build(rng: random.Random):
    from django.contrib.auth import get_user_model

    from registers.lessons.models import ClassMember, Lesson, Period, TeachingClass, Timetable
    from registers.models import AcademicYear, HalfTerm, Mark, Membership, School
    from registers.services.calendar import rebuild_school_days

    school = School.objects.create(urn="900019", name="Lesson Bench Academy", phase="secondary")
    year = AcademicYear.objects.create(school=school, start_year=2025)
    HalfTerm.objects.create(
        school=school,
        academic_year=year,
        name="Autumn 1",
        start_date=dt.date(2025, 9, 3),
        end_date=dt.date(2025, 10, 24),
    )
    rebuild_school_days(school=school)
    pupils = forms_and_pupils(
        school, forms=FORMS, pupils=FORMS * PER_FORM, fields=lambda n: pupil_flags(rng)
    )
    User = get_user_model()
    officer = Membership.objects.create(
        user=User.objects.create_user("bench-officer"), school=school, role="officer"
    )
    teachers = [
        Membership.objects.create(
            user=User.objects.create_user(f"bench-teacher-{n}"), school=school, role="teacher"
        )
        for n in range(FORMS)
    ]
    Timetable.objects.create(school=school, weeks=1, week_a_monday=DAY)
    starts = [
        dt.time(8, 50),
        dt.time(9, 50),
        dt.time(11, 10),
        dt.time(12, 10),
        dt.time(13, 45),
        dt.time(14, 45),
    ]
    periods = [
        Period.objects.create(
            school=school,
            name=f"P{n + 1}",
            session="AM" if n < 4 else "PM",
            start_time=start,
            end_time=(dt.datetime.combine(DAY, start) + dt.timedelta(minutes=55)).time(),
        )
        for n, start in enumerate(starts)
    ]
    by_form: dict[int, list] = {}
    for pupil in pupils:
        by_form.setdefault(pupil.form_id, []).append(pupil)
    classes, members, lessons = [], [], []
    for f, (form_id, form_pupils) in enumerate(sorted(by_form.items())):
        for s, subject in enumerate(SUBJECTS):
            taught = TeachingClass(school=school, code=f"{form_id}/{subject[:2]}", subject=subject)
            classes.append((taught, form_pupils, f, s))
    TeachingClass.objects.bulk_create([c[0] for c in classes])
    for taught, form_pupils, f, s in classes:
        members += [ClassMember(school=school, teaching_class=taught, pupil=p) for p in form_pupils]
        for day in range(1, 6):
            p = (s + day) % PERIODS
            lessons.append(
                Lesson(
                    school=school,
                    teaching_class=taught,
                    teacher=teachers[(f + p) % FORMS],
                    day=day,
                    period=periods[p],
                )
            )
    ClassMember.objects.bulk_create(members, batch_size=5000)
    Lesson.objects.bulk_create(lessons, batch_size=2000)
    # Registration this morning and afternoon: 5% absent (I or N), the rest present.
    Mark.objects.bulk_create(
        [
            Mark(
                school=school,
                pupil=p,
                date=DAY,
                session=session,
                code_id=rng.choices(["I", "N", "/" if session == "AM" else "\\"], [3, 2, 95])[0],
            )
            for p in pupils
            for session in ("AM", "PM")
        ],
        batch_size=5000,
    )
    return school, officer


def take_in_bulk(school, lessons, rng: random.Random) -> None:
    """The registers of `lessons` taken as the page would leave them, without timing."""
    from registers.actors import Actor
    from registers.lessons.selectors.day import lesson_sheet
    from registers.lessons.services.registers import LessonEntry, save_lesson_register

    actor = Actor(None, "Bench")
    for lesson in lessons:
        sheet = lesson_sheet(lesson=lesson, day=DAY)
        # Pupils absent at registration are mostly absent from lessons too; of the others,
        # 0.3% miss the lesson (internal truancy).
        entries = [
            LessonEntry(
                row.pupil.pk,
                "absent"
                if row.statutory_code == "N" and rng.random() < 0.9
                else rng.choices(["present", "late", "absent"], [967, 30, 3])[0],
            )
            for row in sheet.rows
            if row.asked
        ]
        entries = [e if e.kind != "late" else LessonEntry(e.pupil_id, "late", 5) for e in entries]
        save_lesson_register(
            lesson=lesson, day=DAY, entries=entries, actor=actor, expected_version=0
        )


def save_floor(school, runs: int) -> Timing:
    """30 lesson marks inserted and one register stamped, in a transaction rolled back."""
    from django.db import transaction
    from django.utils import timezone

    from registers.lessons.models import Lesson, LessonMark, LessonRegister
    from registers.models import Pupil

    lesson = Lesson.objects.for_school(school).filter(day=DAY.isoweekday()).first()
    pupils = list(Pupil.objects.for_school(school)[:PER_FORM])
    taken = []

    class Rollback(Exception):
        pass

    for _ in range(runs + 3):
        started = time.perf_counter()
        try:
            with transaction.atomic():
                register = LessonRegister.objects.create(
                    school=school, lesson=lesson, date=DAY + dt.timedelta(days=7), session="AM"
                )
                LessonMark.objects.bulk_create(
                    LessonMark(
                        school=school,
                        register=register,
                        pupil=p,
                        date=register.date,
                        session="AM",
                        kind="present",
                    )
                    for p in pupils
                )
                register.taken_at, register.version = timezone.now(), 1
                register.save(update_fields=["taken_at", "version"])
                taken.append(time.perf_counter() - started)
                raise Rollback
        except Rollback:
            pass
    return Timing(taken[3:])


def run(runs: int) -> str:
    import time_machine
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from registers.lessons.models import LessonMark, TruancyAlert
    from registers.lessons.selectors.alerts import alerts_of_day
    from registers.lessons.selectors.day import lesson_sheet, lessons_on

    rng = random.Random(2019)
    rows = []
    with time_machine.travel(END_OF_DAY, tick=True):
        started = time.perf_counter()
        school, officer = build(rng)
        lessons = list(lessons_on(school=school, day=DAY))
        timed_lessons, bulk_lessons = lessons[: runs + 3], lessons[runs + 3 :]
        take_in_bulk(school, bulk_lessons, rng)
        with connection.cursor() as cursor:  # as autovacuum would have by now
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        built_s = time.perf_counter() - started
        client = Client()
        client.force_login(officer.user)
        load = os.getloadavg()
        queue = list(timed_lessons)

        def save() -> None:
            lesson = queue.pop(0)
            sheet = lesson_sheet(lesson=lesson, day=DAY)  # untimed in spirit: the form's GET
            post = {"version": "0"}
            asked = [row for row in sheet.rows if row.asked]
            # Every fifth register has a pupil missing after registration (an alert).
            truant = len(queue) % 5 == 0
            for n, row in enumerate(asked):
                post[f"mark_{row.pupil.pk}"] = "A" if n == 0 and truant else "/"
            url = reverse("lessons:take", args=[school.urn, lesson.pk, DAY])
            started_post, started_cpu = time.perf_counter(), time.process_time()
            response = client.post(url, post)
            save.times.append(time.perf_counter() - started_post)
            save.cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 302, response.content[:500]

        save.times, save.cpu = [], []
        measured(save, runs)
        save_timing, save_cpu = Timing(save.times[3:]), Timing(save.cpu[3:])
        marks = LessonMark.objects.for_school(school).filter(date=DAY).count()
        alerts = TruancyAlert.objects.for_school(school).filter(date=DAY).count()

        def row(label, timing: Timing, cpu: Timing, floor: Timing, target: int, note: str) -> None:
            p50, p95, fp50 = timing.p50 * 1000, timing.p95 * 1000, floor.p50 * 1000
            rows.append(
                f"| {label} | {p50:,.1f} ms | {p95:,.1f} ms | {fp50:,.1f} ms | {p50 / fp50:.1f}x | "
                f"p95 < {target} ms {'✔' if p95 < target else '✘'} | CPU p50 "
                f"{cpu.p50 * 1000:,.1f} ms, p95 {cpu.p95 * 1000:,.1f} ms; {note} |"
            )
            print(rows[-1], flush=True)

        row(
            f"Save a lesson register ({PER_FORM} pupils; one in five raises an alert)",
            save_timing,
            save_cpu,
            save_floor(school, runs),
            SAVE_TARGET_MS,
            f"{runs} first saves of different lessons, through the page (302)",
        )
        url = reverse("lessons:alerts", args=[school.urn])
        listing = measured(lambda: client.get(url), runs)

        def floor_list() -> None:
            list(alerts_of_day(school=school, day=DAY))

        row(
            f"Alert list at the end of the day ({marks:,} lesson marks, {alerts} alerts)",
            listing.wall,
            listing.cpu,
            measured(floor_list, runs).wall,
            LIST_TARGET_MS,
            f"{runs} requests; floor: the list's selector alone",
        )
    engine = connection.vendor
    if engine == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            engine = "PostgreSQL " + cursor.fetchone()[0].split()[0]
    return "\n".join(
        [
            HEADING,
            "",
            f"`python -m benchmarks.lessons --runs {runs}` (part of `make bench`): a secondary of",
            f"{FORMS * PER_FORM:,} pupils ({FORMS} forms of {PER_FORM}), {PERIODS} periods a day, "
            f"{len(SUBJECTS)} subjects a form (300 lessons a day), built in {built_s:.0f} s.",
            "Server time through Django's test client with DEBUG off. The saves take the day's",
            "remaining registers one lesson each (the statutory codes read, the marks written,",
            "an alert raised in the same transaction); the list is the officer's at the end",
            "of the day. Lessons missed after registration: 0.3% of lesson marks (about one",
            "pupil in a hundred a day), plus one in five of the timed saves.",
            f"{engine}, Python {platform.python_version()}, {platform.machine()}, "
            f"{os.cpu_count()} CPUs; load average {load[0]:.1f} before timing and "
            f"{os.getloadavg()[0]:.1f} after (a shared machine: wall time includes waiting",
            "for a core).",
            "",
            "| what | p50 | p95 | floor | ratio | target | notes |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args, _ = parser.parse_known_args(argv)
    args.runs = min(args.runs, 150)  # the day has 300 lessons: two thirds taken in bulk
    _django()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment(debug=False)
    uninstrument_templates()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "ap_bench_lessons"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        section = run(args.runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print(section)
    if args.write:
        write_section(section, HEADING)


if __name__ == "__main__":
    main()
