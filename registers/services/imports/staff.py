"""add_staff: create or update a login and its role at a school (or its trust).

Schools set initial passwords from their scripts, so Django's password validators are not
applied here; only an empty password is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from registers.models import Form, Membership, School

from .csvfile import Problems

Role = Membership.Role


@dataclass(frozen=True)
class StaffResult:
    membership: Membership
    user_created: bool
    membership_created: bool

    def summary(self) -> str:
        user = self.membership.user
        verb = "created" if self.user_created else "updated"
        where = self.membership.school or self.membership.trust
        return f"{user.username} {verb}: {self.membership.get_role_display()} at {where}"


def _check(
    *, school: School, username: str, role: str, password: str, forms: Sequence[str]
) -> list[Form]:
    problems = Problems()
    try:
        get_user_model()._meta.get_field("username").clean(username, None)
    except ValidationError as exc:
        problems.add(f"username {username!r}: {' '.join(exc.messages)}")
    if role not in Role.values:
        problems.add(f"role {role!r} is not one of {', '.join(Role.values)}")
    if not password.strip():
        problems.add("the password is empty")
    if role == Role.TRUST and school.trust_id is None:
        problems.add(f"{school} belongs to no trust, so it cannot have a trust lead")
    if forms and role != Role.TEACHER:
        problems.add("only teachers register forms: --form needs --role teacher")
    found = list(Form.objects.for_school(school).filter(name__in=forms))
    unknown = sorted(set(forms) - {f.name for f in found})
    if unknown:
        problems.add(f"{school} has no form named {', '.join(map(repr, unknown))}")
    problems.raise_if_any()
    return found


@transaction.atomic
def add_staff(
    *,
    school: School,
    username: str,
    role: str,
    password: str,
    forms: Sequence[str] = (),
) -> StaffResult:
    username, forms = username.strip(), [f.strip() for f in forms]
    form_rows = _check(school=school, username=username, role=role, password=password, forms=forms)
    user, user_created = get_user_model().objects.get_or_create(username=username)
    # check_password first: re-hashing the same password would make every run a change.
    if user_created or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])

    if role == Role.TRUST:
        membership, created = Membership.objects.get_or_create(
            user=user, trust_id=school.trust_id, defaults={"role": role}
        )
    else:
        membership, created = Membership.objects.get_or_create(
            user=user, school=school, defaults={"role": role}
        )
        if membership.role != role:
            membership.role = role
            membership.save(update_fields=["role", "updated_at"])
    if role == Role.TEACHER:
        membership.forms.set(form_rows)
    else:
        membership.forms.clear()
    _sync_role_groups(user)
    return StaffResult(membership, user_created, created)


def _sync_role_groups(user) -> None:
    """Groups mirror the roles the user holds in any school, so a role change moves group."""
    held = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    for role in Role.values:
        group, _ = Group.objects.get_or_create(name=role)
        if role in held:
            user.groups.add(group)
        else:
            user.groups.remove(group)
