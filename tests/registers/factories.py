"""factory_boy factories for the school's data."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from registers.models import AcademicYear, Form, HalfTerm, Membership, Pupil, School, Trust
from registers.services.calendar import rebuild_school_days


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
) -> Membership:
    """A user with one role at a school (or a trust, for trust leads)."""
    user = UserFactory(username=username) if username else UserFactory()
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    membership = Membership.objects.create(user=user, role=role, school=school, trust=trust)
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
