"""Shared fixtures: a school with its calendar, a form, pupils and a persona per role.

Personas (healthchecks' alice/bob/charlie): `officer`, `teacher` (registers form 4A),
`other_teacher` (another form of this school), `head`, `governor`, `trust_lead` (this
school's trust), `outsider` (an officer of another school in another trust), `la_lead` (the
local authority of this school: LA number 873) and `other_la` (the LA of the other school).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from registers.models import Membership
from tests.registers.factories import (
    FormFactory,
    PupilFactory,
    SchoolFactory,
    TrustFactory,
    make_half_term,
    make_member,
)

Role = Membership.Role

pytest_plugins = ["tests.browser"]

# Autumn 1 2025: Wednesday 3 September to Friday 24 October.
AUTUMN1_START = dt.date(2025, 9, 3)
AUTUMN1_END = dt.date(2025, 10, 24)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Nothing may leak from one test into the next through the cache. (The sign-in
    # throttle counts in the database, which each test rolls back or flushes.)
    cache.clear()
    yield
    cache.clear()


# Tests write marks for any year (fixed dates in 2025, today, years back); in production
# the calendar's setup makes a year's marks partition before its first mark
# (registers.services.partitions), so the test database gets every year there at once.
TEST_MARK_YEARS = (dt.date(2000, 8, 1), dt.date(2040, 7, 31))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from registers.services.partitions import ensure_mark_partitions

    with django_db_blocker.unblock():
        ensure_mark_partitions(first_day=TEST_MARK_YEARS[0], last_day=TEST_MARK_YEARS[1])


def _load_reference_data() -> None:
    from django.contrib.auth.models import Group, Permission

    from registers.models import AttendanceCode
    from registers.reference_data import load_codes, load_role_groups

    if not AttendanceCode.objects.exists():
        load_codes(AttendanceCode)
        load_role_groups(Group, Permission)


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(
        {"transactional_db", "live_server"} & fixtures
        or (marker and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with a flush that empties every table, including the code
    table and role groups that data migrations loaded; put them back for the next test
    (and for the next run with --reuse-db)."""
    yield
    if _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _load_reference_data()


@pytest.fixture
def trust(db):
    return TrustFactory(name="Oak Learning Trust")


@pytest.fixture
def school(trust):
    school = SchoolFactory(urn="123456", name="Oakfield Primary", trust=trust)
    make_half_term(school, "Autumn 1", AUTUMN1_START, AUTUMN1_END)
    return school


@pytest.fixture
def other_school(db):
    other_trust = TrustFactory(name="Elm Trust")
    school = SchoolFactory(urn="654321", name="Elmwood Academy", trust=other_trust)
    make_half_term(school, "Autumn 1", AUTUMN1_START, AUTUMN1_END)
    return school


@pytest.fixture
def form(school):
    return FormFactory(school=school, name="4A")


@pytest.fixture
def other_form(school):
    return FormFactory(school=school, name="4B")


@pytest.fixture
def pupils(form):
    return [PupilFactory(school=form.school, form=form) for _ in range(5)]


@pytest.fixture
def pupil(pupils):
    return pupils[0]


@pytest.fixture
def officer(school):
    return make_member(Role.OFFICER, school=school, username="officer")


@pytest.fixture
def teacher(school, form):
    return make_member(Role.TEACHER, school=school, forms=[form], username="teacher")


@pytest.fixture
def other_teacher(school, other_form):
    return make_member(Role.TEACHER, school=school, forms=[other_form], username="teacher4b")


@pytest.fixture
def head(school):
    return make_member(Role.HEAD, school=school, username="head")


@pytest.fixture
def governor(school):
    return make_member(Role.GOVERNOR, school=school, username="governor")


@pytest.fixture
def trust_lead(trust):
    return make_member(Role.TRUST, trust=trust, username="trustlead")


@pytest.fixture
def outsider(other_school):
    return make_member(Role.OFFICER, school=other_school, username="outsider")


LA_NUMBER, OTHER_LA_NUMBER = "873", "874"


@pytest.fixture
def la_lead(school):
    """The local authority's attendance team member for this school's LA number."""
    school.la_number = LA_NUMBER
    school.save(update_fields=["la_number"])
    return make_member(Role.LA, la_number=LA_NUMBER, username="lalead")


@pytest.fixture
def other_la(other_school):
    """A local authority member of another LA (the other school's)."""
    other_school.la_number = OTHER_LA_NUMBER
    other_school.save(update_fields=["la_number"])
    return make_member(Role.LA, la_number=OTHER_LA_NUMBER, username="otherla")


@pytest.fixture
def login(client):
    """Log the client in as a persona's user: login(officer)."""

    def _login(membership):
        client.force_login(membership.user)
        return client

    return _login
