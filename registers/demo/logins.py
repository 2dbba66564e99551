"""The demo's logins (one per role) and the class teachers who took the registers."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError

from registers.models import Form, Membership, School, Trust

from . import names

Role = Membership.Role


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    first_name: str
    last_name: str
    sees: str


TEACHER_FORM = "3A"
LOGINS = (
    Login(
        "officer",
        Role.OFFICER,
        "Priya",
        "Shah",
        "Oakfield Primary: every pupil, today's registers and missing marks, first-day "
        "calling, cases and letters",
    ),
    Login(
        "teacher",
        Role.TEACHER,
        "Tom",
        "Reynolds",
        f"form {TEACHER_FORM} only: its registers and pupils (today's morning register is "
        "left for you to take)",
    ),
    Login(
        "head",
        Role.HEAD,
        "Helen",
        "Carter",
        "Oakfield Primary: everything the officer sees, plus the governors' summaries",
    ),
    Login(
        "governor",
        Role.GOVERNOR,
        "David",
        "Okafor",
        "Oakfield Primary: school-level figures and summaries, no individual pupils",
    ),
    Login(
        "trust",
        Role.TRUST,
        "Margaret",
        "Hughes",
        "Oak Learning Trust: both schools' figures side by side, no individual pupils",
    ),
    Login(
        "la",
        Role.LA,
        "Samira",
        "Begum",
        "Oakshire County Council (LA 999): its schools' figures side by side against the "
        "national figures, no individual pupils",
    ),
)


def _user(username: str, first: str, last: str, role: str) -> tuple[User, bool]:
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last}
    )
    if not created and (user.first_name, user.last_name) != (first, last):
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user, created


def password_problems(password: str) -> list[str]:
    """Why Django's password rules refuse `password` for any of the demo logins."""
    problems: list[str] = []
    for login in LOGINS:
        user = get_user_model()(
            username=login.username, first_name=login.first_name, last_name=login.last_name
        )
        try:
            password_validation.validate_password(password, user=user)
        except ValidationError as exc:
            problems += [m for m in exc.messages if m not in problems]
    return problems


def ensure_users(*, password: str) -> dict[str, User]:
    """Create or update the demo logins so each signs in with `password`."""
    users: dict[str, User] = {}
    for login in LOGINS:
        user, created = _user(login.username, login.first_name, login.last_name, login.role)
        # Hashing is deliberately slow; skip it when the password is already right.
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        users[login.username] = user
    return users


def ensure_memberships(
    *, users: dict[str, User], school: School, trust: Trust, teacher_form: Form | None
) -> None:
    for login in LOGINS:
        user = users[login.username]
        if login.role == Role.TRUST:
            Membership.objects.update_or_create(
                user=user, trust=trust, defaults={"role": login.role}
            )
            continue
        if login.role == Role.LA:
            Membership.objects.get_or_create(user=user, role=login.role, la_number=school.la_number)
            continue
        membership, _ = Membership.objects.update_or_create(
            user=user, school=school, defaults={"role": login.role}
        )
        if login.role == Role.TEACHER and teacher_form is not None:
            membership.forms.set([teacher_form])


def ensure_class_teachers(
    *,
    school: School,
    slug: str,
    forms: dict[str, Form],
    assigned: dict[str, User],
    rng: random.Random,
) -> dict[str, int]:
    """A teacher for every form, so each register says who took it. Only the demo logins
    can sign in: these staff accounts get unusable passwords."""
    teachers = {}
    for name, form in sorted(forms.items()):
        user = assigned.get(name)
        if user is None:
            first = rng.choice(names.ADULT_WOMEN + names.ADULT_MEN)
            user, created = _user(
                f"{slug}.{name.lower()}", first, rng.choice(names.SURNAMES), Role.TEACHER
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            membership, _ = Membership.objects.update_or_create(
                user=user, school=school, defaults={"role": Role.TEACHER}
            )
            membership.forms.set([form])
        teachers[name] = user.pk
    return teachers
