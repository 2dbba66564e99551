"""Logins made by commands (add_staff, seed_demo): no silent role at another school, no
silent password change, Django's password rules, one login however its username is typed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from registers.models import Membership

Role = Membership.Role
User = get_user_model()
PW = "initial-pw-2025"
OTHER_PW = "beech-hill-pw-99"


def add_staff(school, username, *extra, role="officer", password=PW) -> str:
    out = StringIO()
    call_command(
        "add_staff", "--school", school.urn, "--username", username, "--role", role,
        "--password", password, *extra, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def test_a_username_of_another_school_is_refused_and_nothing_changes(school, other_school):
    add_staff(school, "j.smith")
    with pytest.raises(
        CommandError, match=r"already exists \(at Oakfield Primary \(123456\)\).*--add-membership"
    ):
        add_staff(other_school, "j.smith", password=OTHER_PW)
    user = User.objects.get(username="j.smith")
    assert user.check_password(PW)  # the old code reset it to the second school's
    assert [m.school for m in Membership.objects.filter(user=user)] == [school]


def test_add_membership_gives_the_same_login_a_role_at_a_second_school_keeping_its_password(
    school, other_school
):
    add_staff(school, "j.smith")
    out = add_staff(other_school, "j.smith", "--add-membership", password=OTHER_PW)
    assert "password is unchanged" in out
    user = User.objects.get(username="j.smith")
    assert user.check_password(PW)
    assert {m.school for m in Membership.objects.filter(user=user)} == {school, other_school}


def test_a_password_changes_only_with_reset_password(school):
    add_staff(school, "j.smith")
    out = add_staff(school, "j.smith", password=OTHER_PW)
    assert "password is unchanged" in out
    assert User.objects.get(username="j.smith").check_password(PW)
    out = add_staff(school, "j.smith", "--reset-password", password=OTHER_PW)
    assert "password reset" in out
    assert User.objects.get(username="j.smith").check_password(OTHER_PW)


def test_an_existing_login_without_a_role_anywhere_is_not_taken_over_silently(school):
    User.objects.create_superuser("admin", "admin@example.org", "superuser-pw-2025")
    with pytest.raises(CommandError, match="--add-membership"):
        add_staff(school, "admin")
    assert not Membership.objects.exists()
    assert User.objects.get(username="admin").check_password("superuser-pw-2025")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("1", "too short"),
        ("password", "too common"),
        ("83927461538", "entirely numeric"),
        ("j.smith-2", "too similar to the username"),
    ],
)
def test_a_weak_password_is_refused_and_nothing_is_written(school, password, message):
    with pytest.raises(CommandError, match=message):
        add_staff(school, "j.smith", password=password)
    assert not User.objects.filter(username="j.smith").exists()


def test_a_fullwidth_username_is_stored_as_people_type_it(school):
    add_staff(school, "ｊ．ｓｍｉｔｈ")
    assert User.objects.filter(username="j.smith").exists()


def test_a_username_differing_only_in_case_is_refused(school):
    add_staff(school, "j.smith")
    with pytest.raises(CommandError, match="only in case"):
        add_staff(school, "J.Smith")
    assert User.objects.count() == 1


def test_an_email_is_set_on_a_new_login_and_never_changed(school, other_school):
    add_staff(school, "j.smith", "--email", "j.smith@oakfield.example")
    assert User.objects.get(username="j.smith").email == "j.smith@oakfield.example"
    add_staff(school, "j.smith", "--email", "J.Smith@oakfield.example")  # same address
    with pytest.raises(CommandError, match="does not change it"):
        add_staff(school, "j.smith", "--email", "someone@else.example")
    with pytest.raises(CommandError, match="not an email address"):
        add_staff(school, "k.jones", "--email", "k.jones")


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["1", "demo", "officer1"])
def test_seed_demo_refuses_a_weak_password(password):
    with pytest.raises(CommandError, match="too weak"):
        call_command("seed_demo", "--password", password, stdout=StringIO())
    assert not User.objects.exists()


def test_a_local_authority_login_is_made_for_the_schools_la_number(school, other_school):
    with pytest.raises(CommandError, match="has no LA number"):
        add_staff(school, "la.team", role="la")
    school.la_number = "873"
    school.save(update_fields=["la_number"])
    assert "la.team created: Local authority at LA 873" in add_staff(school, "la.team", role="la")
    membership = Membership.objects.get(user__username="la.team")
    assert (membership.role, membership.la_number, membership.school) == ("la", "873", None)
    add_staff(school, "la.team", role="la")  # again: no second membership
    assert Membership.objects.filter(user__username="la.team").count() == 1
