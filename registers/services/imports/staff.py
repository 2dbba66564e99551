"""add_staff: create a login with a role at a school (or its trust), or update its role there.

A login is one person. An existing login gets a role at another school (or its first role)
only with `add_membership=True`, so that a username reused by mistake at a second school
cannot hand that school's pupils to whoever knows the first school's password. A password is
only ever set on a new login, or on an existing one with `reset_password=True`: never
silently. Every password given must pass Django's validators (AUTH_PASSWORD_VALIDATORS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from registers.models import Form, Membership, School

from .csvfile import Problems

Role = Membership.Role


@dataclass(frozen=True)
class StaffResult:
    membership: Membership
    user_created: bool
    membership_created: bool
    password_set: bool = False
    password_kept: bool = False  # the login kept its own password, not the one given

    def summary(self) -> str:
        user = self.membership.user
        verb = "created" if self.user_created else "updated"
        where = self.membership.school or self.membership.trust or f"LA {self.membership.la_number}"
        line = f"{user.username} {verb}: {self.membership.get_role_display()} at {where}"
        if not self.user_created and self.password_set:
            line += "; password reset"
        elif self.password_kept:
            line += "; its password is unchanged (--reset-password sets the one given)"
        return line


def _holds_role_here(user, *, school: School, role: str) -> bool:
    if role == Role.TRUST:
        return Membership.objects.filter(user=user, trust=school.trust).exists()
    if role == Role.LA:
        return Membership.objects.filter(
            user=user, role=Role.LA, la_number=school.la_number
        ).exists()
    return Membership.objects.filter(user=user, school=school).exists()


def _where(user) -> str:
    places = [
        str(m.school or m.trust or f"LA {m.la_number}")
        for m in Membership.objects.filter(user=user)
    ]
    return f" (at {', '.join(sorted(places))})" if places else ""


def _check(
    *,
    school: School,
    username: str,
    role: str,
    password: str,
    forms: Sequence[str],
    email: str,
    user,
    add_membership: bool,
) -> list[Form]:
    User = get_user_model()
    problems = Problems()
    try:
        User._meta.get_field("username").clean(username, None)
    except ValidationError as exc:
        problems.add(f"username {username!r}: {' '.join(exc.messages)}")
    if role not in Role.values:
        problems.add(f"role {role!r} is not one of {', '.join(Role.values)}")
    if not password.strip():
        problems.add("the password is empty")
    else:
        candidate = user or User(username=username, email=email)
        try:
            password_validation.validate_password(password, user=candidate)
        except ValidationError as exc:
            problems.add(f"the password is too weak: {' '.join(exc.messages)}")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.add(f"{email!r} is not an email address")
    if user is None:
        twin = User.objects.filter(username__iexact=username).first()
        if twin is not None:
            problems.add(
                f"a login {twin.username!r}{_where(twin)} differs from {username!r} only in "
                "case: use that username, or another one"
            )
    else:
        if not add_membership and not _holds_role_here(user, school=school, role=role):
            problems.add(
                f"a login {username!r} already exists{_where(user)}. If it is the same "
                f"person, pass --add-membership to give that login a role at {school} too "
                "(its password stays as it is); otherwise choose another username"
            )
        if email and user.email and user.email.casefold() != email.casefold():
            problems.add(
                f"login {username!r} has the email address {user.email!r}; add_staff does "
                "not change it (a superuser can, in the admin)"
            )
    if role == Role.TRUST and school.trust_id is None:
        problems.add(f"{school} belongs to no trust, so it cannot have a trust lead")
    if role == Role.LA and not school.la_number:
        problems.add(
            f"{school} has no LA number (setup_school --lea), so it has no local authority"
        )
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
    email: str = "",
    add_membership: bool = False,
    reset_password: bool = False,
) -> StaffResult:
    User = get_user_model()
    # NFKC, as the sign-in form applies it: "ｈｅａｄ" would otherwise be a login nobody
    # could sign in as.
    username = User.normalize_username(username.strip())
    forms, email = [f.strip() for f in forms], email.strip()
    user = User.objects.select_for_update().filter(username=username).first()
    form_rows = _check(
        school=school,
        username=username,
        role=role,
        password=password,
        forms=forms,
        email=email,
        user=user,
        add_membership=add_membership,
    )
    user_created = user is None
    password_set = password_kept = False
    if user is None:
        user = User.objects.create_user(username=username, email=email, password=password)
        password_set = True
    else:
        if email and not user.email:
            user.email = email
            user.save(update_fields=["email"])
        # check_password first: re-hashing the same password would make every run a change.
        if not user.check_password(password):
            if reset_password:
                user.set_password(password)
                user.save(update_fields=["password"])
                password_set = True
            else:
                password_kept = True

    if role == Role.TRUST:
        membership, created = Membership.objects.get_or_create(
            user=user, trust_id=school.trust_id, defaults={"role": role}
        )
    elif role == Role.LA:
        # The local authority of the school: every school with its LA number.
        membership, created = Membership.objects.get_or_create(
            user=user, role=role, la_number=school.la_number
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
    return StaffResult(membership, user_created, created, password_set, password_kept)


def _sync_role_groups(user) -> None:
    """Groups mirror the roles the user holds in any school, so a role change moves group."""
    held = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    for role in Role.values:
        group, _ = Group.objects.get_or_create(name=role)
        if role in held:
            user.groups.add(group)
        else:
            user.groups.remove(group)
