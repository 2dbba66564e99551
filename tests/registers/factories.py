"""factory_boy factories for the school's data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from registers.models import (
    AcademicYear,
    Contact,
    Form,
    HalfTerm,
    Mark,
    Membership,
    Pupil,
    School,
    SchoolDay,
    Trust,
)
from registers.services.calendar import open_sessions, rebuild_school_days
from registers.services.stored_figures import refresh, refresh_sessions


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Trust {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("urn",)

    urn = factory.Sequence(lambda n: f"{100000 + n:06d}")
    name = factory.Sequence(lambda n: f"School {n} Primary")
    phase = School.Phase.PRIMARY


class FormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Form

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"F{n}")


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    upn = factory.Sequence(lambda n: f"A{n:011d}0")
    surname = factory.Faker("last_name", locale="en_GB")
    forename = factory.Faker("first_name", locale="en_GB")
    date_of_birth = dt.date(2016, 5, 1)
    year_group = "4"
    form = factory.SubFactory(FormFactory, school=factory.SelfAttribute("..school"))
    admission_date = dt.date(2020, 9, 1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # A pupil on roll has unmarked sessions in the stored figures, as import_pupils
        # makes them.
        pupil = super()._create(model_class, *args, **kwargs)
        refresh(school=pupil.school_id, pupil_ids=[pupil.pk])
        return pupil


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    pupil = factory.SubFactory(PupilFactory)
    school = factory.SelfAttribute("pupil.school")
    name = factory.Sequence(lambda n: f"Parent {n}")
    relationship = "Mother"
    # Ofcom's drama range: never a real phone.
    phone = factory.Sequence(lambda n: f"+447700900{n % 1000:03d}")
    email = factory.Sequence(lambda n: f"parent{n}@example.com")
    priority = 1


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.django.Password("password")


def make_member(
    role: str,
    *,
    school: School | None = None,
    trust: Trust | None = None,
    forms: list[Form] | None = None,
    username: str | None = None,
    la_number: str = "",
) -> Membership:
    """A user with one role at a school (or a trust, for trust leads; an LA number for a
    local authority's team)."""
    user = UserFactory(username=username) if username else UserFactory()
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    membership = Membership.objects.create(
        user=user, role=role, school=school, trust=trust, la_number=la_number
    )
    if forms:
        membership.forms.set(forms)
    return membership


def make_half_term(school: School, name: str, start: dt.date, end: dt.date) -> HalfTerm:
    """A half-term with its school days derived, as import_calendar would make it."""
    start_year = start.year if start.month >= 8 else start.year - 1
    year, _ = AcademicYear.objects.get_or_create(school=school, start_year=start_year)
    term = HalfTerm.objects.create(
        school=school, academic_year=year, name=name, start_date=start, end_date=end
    )
    rebuild_school_days(school=school)
    return term


def _in_step(marks: Sequence[Mark]) -> None:
    """The stored figures of the pupils' weeks, as every writer of marks keeps them."""
    for school_id in {m.school_id for m in marks}:
        refresh_sessions(
            school=school_id, keys=[(m.pupil_id, m.date) for m in marks if m.school_id == school_id]
        )


# Present, as a register takes it: "/" in the morning, "\\" in the afternoon.
PRESENT = {"AM": "/", "PM": "\\"}


class MarkFactory(factory.django.DjangoModelFactory):
    """Marks, the one way tests build them.

    The database's rules hold: a mark is the pupil's school's, for an open session of one
    of its school days ("#", the closure code, also in a closed one). The factory refuses
    any other; a test that needs a mark the calendar no longer has makes it first, then
    changes the calendar, and `off_calendar` is only for tests that figures ignore such a
    mark. Marks are only ever added: the database refuses to delete them, and a change to
    one is an amendment with its history, made through
    registers.services.marks.record_mark, never here. The pupil may be off roll on the day
    (a leaving date entered afterwards), as real registers can be.

    MarkFactory(pupil=p, date=d, session="AM", code_id="N") makes one; the class methods
    make many at once (one INSERT):
    - run(pupil, codes, start=, end=): one code per open session from `start`, in
      register order;
    - days(pupil, days, absent_sessions=, code=, absent_on=): both sessions of each day,
      present except the first `absent_sessions` (coded `code`) and the days of
      `absent_on` ({day: code});
    - at(pupil, sessions, code): the same code in each (date, session) given.
    """

    class Meta:
        model = Mark

    pupil = factory.SubFactory(PupilFactory)
    school = factory.SelfAttribute("pupil.school")
    date = dt.date(2025, 9, 8)
    session = "AM"
    code_id = "/"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        mark = model_class(*args, **kwargs)
        cls._check([mark])
        mark.save()
        _in_step([mark])
        return mark

    @staticmethod
    def _check(marks: Sequence[Mark]) -> None:
        """Refuse marks the portal could never record: another school's, or on a session
        that is not an open session of one of the school's days ("#", the closure code,
        may be in a closed session of a school day)."""
        if not marks:
            return
        school_ids = {m.school_id for m in marks}
        for mark in marks:
            if mark.school_id != mark.pupil.school_id:
                raise ValueError(f"A mark for {mark.pupil} must be their school's.")
        dates = {m.date for m in marks}
        days = {
            (d.school_id, d.date): d
            for d in SchoolDay.objects.filter(school_id__in=school_ids, date__in=dates)
        }
        for mark in marks:
            day = days.get((mark.school_id, mark.date))
            closure = day is not None and mark.code_id == "#"  # the code of a closed session
            if day is None or not (day.is_open(mark.session) or closure):
                raise ValueError(
                    f"{mark.date} {mark.session} is not an open session of the school's "
                    "calendar: give the school that day (make_half_term) first."
                )

    @classmethod
    def off_calendar(cls, **fields) -> Mark:
        """A mark on a day or session the school's calendar does not have open, which the
        portal refuses to record: only for tests that figures ignore such a mark."""
        mark = cls.build(**fields)
        mark.save()
        _in_step([mark])
        return mark

    @classmethod
    def create_many(cls, pupil: Pupil, rows: Iterable[tuple[dt.date, str, str]], **fields):
        """Marks for (date, session, code) rows, checked, in one INSERT."""
        marks = [
            Mark(
                school_id=pupil.school_id,
                pupil=pupil,
                date=day,
                session=session,
                code_id=code,
                **fields,
            )
            for day, session, code in rows
        ]
        cls._check(marks)
        created = Mark.objects.bulk_create(marks)
        _in_step(created)
        return created

    @classmethod
    def run(
        cls, pupil: Pupil, codes: Sequence[str], *, start: dt.date, end: dt.date | None = None
    ) -> list[Mark]:
        """One code per open session of the pupil's school from `start` (up to `end`)."""
        sessions = open_sessions(school=pupil.school, start=start, end=end or dt.date.max)
        if len(sessions) < len(codes):
            raise ValueError(f"Only {len(sessions)} open sessions for {len(codes)} marks.")
        return cls.create_many(
            pupil,
            ((day, session, code) for (day, session), code in zip(sessions, codes, strict=False)),
        )

    @classmethod
    def days(
        cls,
        pupil: Pupil,
        days: Iterable[dt.date],
        *,
        absent_sessions: int = 0,
        code: str = "O",
        absent_on: dict[dt.date, str] | None = None,
    ) -> list[Mark]:
        """Both sessions of each day, present ("/" and "\\") except the first
        `absent_sessions` sessions, coded `code`, and the days of `absent_on` ({day: code})."""
        absent_on = absent_on or {}
        sessions = [(day, session) for day in days for session in ("AM", "PM")]
        return cls.create_many(
            pupil,
            (
                (
                    day,
                    session,
                    code if n < absent_sessions else absent_on.get(day, PRESENT[session]),
                )
                for n, (day, session) in enumerate(sessions)
            ),
        )

    @classmethod
    def at(
        cls, pupil: Pupil, sessions: Iterable[tuple[dt.date, str]], code: str = "/"
    ) -> list[Mark]:
        """The same code in each (date, session)."""
        return cls.create_many(pupil, ((day, session, code) for day, session in sessions))
