from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from registers.models import Membership, School, Trust
from tests.registers.factories import SchoolFactory

Role = Membership.Role
User = get_user_model()
PW = "initial-pw-2025"  # passes Django's password validators


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# setup_school


@pytest.mark.django_db
def test_setup_school_creates_a_school_and_its_trust():
    output = run(
        "setup_school", "--urn", "100200", "--name", "Ash Primary", "--phase", "primary",
        "--trust", "Ash Trust",
    )  # fmt: skip
    school = School.objects.get(urn="100200")
    assert (school.name, school.phase, school.trust.name) == ("Ash Primary", "primary", "Ash Trust")
    assert "created" in output


@pytest.mark.django_db
def test_setup_school_updates_by_urn_and_a_second_run_changes_nothing():
    run("setup_school", "--urn", "100200", "--name", "Ash", "--phase", "primary")
    run("setup_school", "--urn", "100200", "--name", "Ash Academy", "--phase", "secondary")
    school = School.objects.get(urn="100200")
    assert (school.name, school.phase, school.trust) == ("Ash Academy", "secondary", None)
    updated_at = school.updated_at
    output = run("setup_school", "--urn", "100200", "--name", "Ash Academy", "--phase", "secondary")
    assert "unchanged" in output
    assert School.objects.get(urn="100200").updated_at == updated_at
    assert School.objects.count() == 1


@pytest.mark.django_db
def test_setup_school_keeps_the_trust_when_none_is_given(trust):
    run(
        "setup_school",
        "--urn",
        "100200",
        "--name",
        "Ash",
        "--phase",
        "primary",
        "--trust",
        trust.name,
    )
    run("setup_school", "--urn", "100200", "--name", "Ash", "--phase", "primary")
    assert School.objects.get(urn="100200").trust == trust
    assert Trust.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("urn", "name", "phase", "message"),
    [
        ("12345", "Ash", "primary", "six digits"),
        ("12345A", "Ash", "primary", "six digits"),
        ("100200", "  ", "primary", "name"),
        ("100200", "Ash", "nursery", "invalid choice"),
    ],
)
def test_setup_school_refuses_bad_values(urn, name, phase, message):
    with pytest.raises(CommandError, match=message):
        run("setup_school", "--urn", urn, "--name", name, "--phase", phase)
    assert not School.objects.exists()


# add_staff


def test_add_staff_creates_a_teacher_with_forms_and_group(school, form, other_form):
    run(
        "add_staff", "--school", school.urn, "--username", "mr.jones", "--role", "teacher",
        "--password", "initial-pw-2025", "--form", "4A", "--form", "4B",
    )  # fmt: skip
    user = User.objects.get(username="mr.jones")
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.school) == (Role.TEACHER, school)
    assert set(membership.forms.values_list("name", flat=True)) == {"4A", "4B"}
    assert list(user.groups.values_list("name", flat=True)) == ["teacher"]
    assert user.check_password("initial-pw-2025")


def test_add_staff_twice_changes_nothing(school, form):
    args = ("add_staff", "--school", school.urn, "--username", "ms.lee", "--role", "teacher",
            "--password", PW, "--form", "4A")  # fmt: skip
    run(*args)
    user = User.objects.get(username="ms.lee")
    run(*args)
    user2 = User.objects.get(username="ms.lee")
    assert user2.password == user.password  # not re-hashed with a new salt
    assert Membership.objects.filter(user=user).count() == 1


def test_add_staff_changes_a_role_and_moves_the_group(school, form):
    run("add_staff", "--school", school.urn, "--username", "sam", "--role", "teacher",
        "--password", PW, "--form", "4A")  # fmt: skip
    run(
        "add_staff",
        "--school",
        school.urn,
        "--username",
        "sam",
        "--role",
        "head",
        "--password",
        "second-pw-2025",
        "--reset-password",
    )
    membership = Membership.objects.get(user__username="sam")
    assert membership.role == Role.HEAD
    assert not membership.forms.exists()
    user = membership.user
    assert list(user.groups.values_list("name", flat=True)) == ["head"]
    assert user.check_password("second-pw-2025")


def test_add_staff_makes_a_trust_lead_a_member_of_the_trust(school, trust):
    run(
        "add_staff",
        "--school",
        school.urn,
        "--username",
        "ceo",
        "--role",
        "trust",
        "--password",
        PW,
    )
    membership = Membership.objects.get(user__username="ceo")
    assert (membership.trust, membership.school, membership.role) == (trust, None, Role.TRUST)


@pytest.mark.django_db
def test_add_staff_refuses_a_trust_lead_for_a_school_without_trust():
    lone = SchoolFactory(urn="300300", trust=None)
    with pytest.raises(CommandError, match="belongs to no trust"):
        run(
            "add_staff",
            "--school",
            lone.urn,
            "--username",
            "x",
            "--role",
            "trust",
            "--password",
            PW,
        )
    assert not User.objects.filter(username="x").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--role", "teacher", "--password", PW, "--form", "9Z"], "no form named '9Z'"),
        (["--role", "teacher", "--password", ""], "password is empty"),
        (["--role", "head", "--password", PW, "--form", "4A"], "only teachers"),
        (["--role", "cleaner", "--password", PW], "invalid choice"),
    ],
)
def test_add_staff_refuses_bad_input_and_writes_nothing(school, form, extra, message):
    with pytest.raises(CommandError, match=message):
        run("add_staff", "--school", school.urn, "--username", "newbie", *extra)
    assert not User.objects.filter(username="newbie").exists()


def test_add_staff_refuses_an_invalid_username(school):
    with pytest.raises(CommandError, match="username"):
        run("add_staff", "--school", school.urn, "--username", "bad name!", "--role", "head",
            "--password", PW)  # fmt: skip


@pytest.mark.django_db
def test_commands_refuse_an_unknown_school():
    with pytest.raises(CommandError, match="no school with URN '999999'"):
        run(
            "add_staff",
            "--school",
            "999999",
            "--username",
            "x",
            "--role",
            "head",
            "--password",
            PW,
        )
