"""The stored figures stay equal to the marks (docs/domain.md §2, "Stored figures").

Random sequences of what changes figures (class register saves, amendments, imports of
marks, closures and reopenings, joiners, leavers and readmissions) go through the services
that make them; after each sequence every stored row must equal a recomputation from the
marks, and every figure the reports read (per pupil, per day and code, unmarked sessions)
must equal the same figure counted from the marks the way the portal counted it before
(registers.figures_from_marks), pupil by pupil, over the whole calendar and a random part
of it (a range may start and end mid-week).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from attendance_portal.errors import DomainError
from registers import figures, figures_from_marks
from registers.actors import Actor
from registers.models import Closure, Form, Mark, Pupil, Register, School, WeekCount
from registers.services.calendar import rebuild_school_days, weekdays
from registers.services.imports import CsvFile
from registers.services.imports.marks import import_marks
from registers.services.imports.pupils import COLUMNS as PUPIL_COLUMNS
from registers.services.imports.pupils import import_pupils
from registers.services.marks import Entry, record_mark, save_register
from registers.services.stored_figures import recompute, verify
from tests.registers.factories import SchoolFactory, make_half_term

# A half-term that starts and ends mid-week, so weeks are cut at both ends.
FIRST, LAST = dt.date(2025, 9, 3), dt.date(2025, 10, 8)
DAYS = list(weekdays(FIRST, LAST))
FORMS = ("4A", "4B")
CODES = ("/", "\\", "L", "U", "N", "O", "G", "I", "M", "C", "E", "V", "P", "X", "Y", "#")
ACTOR = Actor(None, "Property test", "test")

day_index = st.integers(0, len(DAYS) - 1)
session = st.sampled_from(("AM", "PM"))
code = st.sampled_from(CODES)
pupil_index = st.integers(0, 7)

codes = st.lists(code, min_size=1, max_size=6)
operation = st.one_of(
    st.tuples(st.just("register"), st.sampled_from(FORMS), day_index, session, codes),
    st.tuples(st.just("amend"), pupil_index, day_index, session, code),
    st.tuples(
        st.just("import"),
        st.lists(st.tuples(pupil_index, day_index, session, code), min_size=1, max_size=12),
    ),
    st.tuples(st.just("close"), day_index, st.sampled_from(("AM", "PM", "ALL"))),
    st.tuples(st.just("reopen"), day_index),
    st.tuples(st.just("join"), day_index, st.sampled_from((*FORMS, ""))),
    st.tuples(st.just("leave"), pupil_index, day_index),
    st.tuples(st.just("readmit"), pupil_index, day_index),
)  # fmt: skip


def _csv(header, rows) -> CsvFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return CsvFile("upload.csv", out.getvalue().encode())


class World:
    """One school with its calendar and roll, changed only through the services."""

    def __init__(self) -> None:
        self.school: School = SchoolFactory()
        make_half_term(self.school, "Autumn 1", FIRST, LAST)
        # upn -> (form, admission, leaving)
        self.roll: dict[str, tuple[str, dt.date, dt.date | None]] = {}
        for i in range(4):
            self.roll[f"P{i:011d}1"] = (FORMS[i % 2], DAYS[3 * i], None)
        self.save_roll()
        self.applied = 0

    def save_roll(self) -> None:
        rows = [
            [upn, "Okafor", "Chidi", "2016-05-01", "4", form, admitted.isoformat(),
             left.isoformat() if left else "", "N", "N", "N", "N", "N", "N", "N"]
            for upn, (form, admitted, left) in self.roll.items()
        ]  # fmt: skip
        import_pupils(school=self.school, file=_csv(PUPIL_COLUMNS, rows))

    def pupil(self, index: int) -> Pupil:
        pupils = list(Pupil.objects.for_school(self.school).order_by("upn"))
        return pupils[index % len(pupils)]

    def apply(self, op: tuple) -> None:
        kind, *args = op
        try:
            getattr(self, kind)(*args)
        except DomainError:
            return  # refused, and all or nothing: the check after the sequence covers it
        self.applied += 1

    def register(self, form_name, day, session, codes) -> None:
        form = Form.objects.get(school=self.school, name=form_name)
        pupils = [p for p in form.pupils.order_by("upn") if p.on_roll(DAYS[day])]
        register = Register.objects.filter(form=form, date=DAYS[day], session=session).first()
        save_register(
            form=form,
            day=DAYS[day],
            session=session,
            entries=[Entry(p.pk, codes[i % len(codes)]) for i, p in enumerate(pupils)],
            actor=ACTOR,
            expected_version=register.version if register else 0,
            reason="corrected",
        )

    def amend(self, pupil, day, session, code) -> None:
        p = self.pupil(pupil)
        record_mark(
            pupil=p, day=DAYS[day], session=session, entry=Entry(p.pk, code), actor=ACTOR,
            reason="corrected",
        )  # fmt: skip

    def import_(self, rows) -> None:
        seen, out = set(), []
        for pupil, day, session, code in rows:
            upn = self.pupil(pupil).upn
            if (upn, day, session) not in seen:
                seen.add((upn, day, session))
                out.append([upn, DAYS[day].isoformat(), session, code, "", ""])
        file = _csv(["upn", "date", "session", "code", "minutes_late", "comment"], out)
        import_marks(school=self.school, file=file, changed_by_name="test")

    def close(self, day, session) -> None:
        sessions = ("AM", "PM") if session == "ALL" else (session,)
        for s in sessions:
            Closure.objects.get_or_create(
                school=self.school, date=DAYS[day], session=s, defaults={"reason": "Weather"}
            )
        rebuild_school_days(school=self.school)

    def reopen(self, day) -> None:
        Closure.objects.filter(school=self.school, date=DAYS[day]).delete()
        rebuild_school_days(school=self.school)

    def join(self, day, form) -> None:
        self.roll[f"J{len(self.roll):011d}1"] = (form, DAYS[day], None)
        self.save_roll()

    def leave(self, pupil, day) -> None:
        self.set_dates(pupil, leaving=DAYS[day])

    def readmit(self, pupil, day) -> None:
        self.set_dates(pupil, admitted=DAYS[day], leaving=None)

    def set_dates(self, pupil, *, leaving, admitted=None) -> None:
        upn = self.pupil(pupil).upn
        before = dict(self.roll)
        form, old_admitted, _ = self.roll[upn]
        self.roll[upn] = (form, admitted or old_admitted, leaving)
        try:
            self.save_roll()
        except DomainError:
            self.roll = before
            raise


# "import" is a keyword: its operation is the method import_.
KINDS = {"import": "import_"}


def _ranges(first: int, last: int) -> list[tuple[dt.date, dt.date]]:
    a, b = sorted((first, last))
    return [(DAYS[0], DAYS[-1]), (DAYS[a], DAYS[b]), (dt.date(2025, 8, 1), dt.date(2025, 9, 5))]


class StoredFiguresProperty(TestCase):
    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(ops=st.lists(operation, min_size=1, max_size=12), first=day_index, last=day_index)
    def test_stored_figures_equal_the_marks(self, ops, first, last):
        world = World()
        for op in ops:
            world.apply((KINDS.get(op[0], op[0]), *op[1:]))
        school = world.school

        assert verify(school=school) == []
        rows = {
            (r.pupil_id, r.week, r.code): (r.mon, r.tue, r.wed, r.thu, r.fri)
            for r in WeekCount.objects.for_school(school)
        }
        assert rows == recompute(school=school)

        pupils = list(Pupil.objects.for_school(school).values_list("pk", flat=True))
        ranges = _ranges(first, last)
        over = figures.counts_by_pupil_over(school=school, ranges=ranges)
        for (start, end), stored_range in zip(ranges, over, strict=True):
            marks_range = figures_from_marks.counts_by_pupil(school=school, start=start, end=end)
            assert stored_range == marks_range, (start, end)
        for start, end in _ranges(first, last):
            stored = figures.counts_by_pupil(school=school, start=start, end=end)
            marks = figures_from_marks.counts_by_pupil(school=school, start=start, end=end)
            for pk in pupils:
                assert stored.get(pk) == marks.get(pk), (pk, start, end)
            assert figures.unmarked_by_pupil(
                school=school, start=start, end=end
            ) == figures_from_marks.unmarked_by_pupil(school=school, start=start, end=end)
            assert figures.counts_by_day_and_code(
                school=school, start=start, end=end
            ) == figures_from_marks.counts_by_day_and_code(school=school, start=start, end=end)
            by_code: dict[str, int] = {}
            for (_, c), n in figures_from_marks.counts_by_day_and_code(
                school=school, start=start, end=end
            ).items():
                by_code[c] = by_code.get(c, 0) + n
            assert figures.counts_by_code(school=school, start=start, end=end) == by_code
            assert figures.totals(school=school, start=start, end=end) == figures.fold_codes(
                by_code.items()
            )


def test_a_sequence_of_changes_is_mostly_applied(db):
    """The property test's operations are not all refused (else it would prove little):
    a fixed sequence of each kind goes through and changes the marks and the roll."""
    world = World()
    for op in [
        ("register", "4A", 5, "AM", ["/", "N"]),
        ("amend", 0, 5, "AM", "I"),
        ("import_", [(1, 6, "PM", "\\"), (2, 7, "AM", "L")]),
        ("close", 8, "ALL"),
        ("join", 10, "4B"),
        ("leave", 3, 20),
        ("reopen", 8),
    ]:
        world.apply(op)
    assert world.applied == 7
    assert Mark.objects.for_school(world.school).count() == 3
    assert verify(school=world.school) == []
