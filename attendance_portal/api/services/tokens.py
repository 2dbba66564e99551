"""Tokens: create (the secret is returned once and never stored), revoke, find by secret,
and the log of calls that returned pupil-level data."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from attendance_portal.errors import DomainError
from registers.models import School, Trust

from ..models import ApiAccess, ApiToken

PREFIX = "apt_"


class TokenError(DomainError):
    """A token that may not be created as asked."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown to its creator once


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    *,
    name: str,
    school: School | None = None,
    trust: Trust | None = None,
    level: str,
    access: str = ApiToken.Access.READ,
    days: int | None = None,
    created_by=None,
    created_by_name: str,
) -> NewToken:
    """A new token for one school or one trust. A trust's token is aggregate-only and
    read-only, whoever asks (the portal never shows a trust a pupil); who may ask for a
    school's pupil-level token is the caller's rule (the portal's page allows no more than
    its user may see; the command is the server's operator)."""
    name = name.strip()
    if not name:
        raise TokenError("Give the token a name that says which tool uses it.")
    if (school is None) == (trust is None):
        raise TokenError("A token covers one school or one trust.")
    if level not in ApiToken.Level.values:
        raise TokenError(f"Unknown level {level!r}.")
    if access not in ApiToken.Access.values:
        raise TokenError(f"Unknown access {access!r}.")
    if trust is not None and (level != ApiToken.Level.AGGREGATE or access != ApiToken.Access.READ):
        # The portal never shows a trust lead a pupil, nor lets them change a register:
        # a trust's token may not do more (docs/domain.md §10).
        raise TokenError(
            "A trust's token is for aggregate figures only, read-only: the portal shows a "
            "trust no pupil. For pupil-level data or writes make a token per school "
            "(--school URN), which its head can see and revoke."
        )
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise TokenError(f"A token lasts from 1 to {settings.API_TOKEN_MAX_DAYS} days.")
    body = secrets.token_urlsafe(32)
    secret = f"{PREFIX}{body}"
    token = ApiToken.objects.create(
        name=name[:100],
        prefix=secret[: len(PREFIX) + 8],
        digest=digest_of(secret),
        school=school,
        trust=trust,
        level=level,
        access=access,
        expires_at=timezone.now() + dt.timedelta(days=days),
        created_by=created_by,
        created_by_name=created_by_name[:150],
    )
    return NewToken(token, secret)


def revoke_token(*, token: ApiToken, revoked_by_name: str) -> ApiToken:
    """Revoke a token at once; revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by_name = revoked_by_name[:150]
        token.save(update_fields=["revoked_at", "revoked_by_name", "updated_at"])
    return token


def find_token(secret: str) -> ApiToken | None:
    """The usable token with this secret, or None (unknown, revoked or expired alike)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("school", "trust")
        .filter(digest=digest_of(secret))
        .first()
    )
    if token is not None:
        now = timezone.now()
        # At most one write a minute per token, not one per call.
        if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token


def log_access(
    *, token: ApiToken, school: School, method: str, endpoint: str, pupil_ids: Iterable[int]
) -> ApiAccess | None:
    """Record a call that returned these pupils' data (nothing when it returned none)."""
    ids = sorted(set(pupil_ids))
    if not ids:
        return None
    return ApiAccess.objects.create(
        token=token,
        school=school,
        method=method[:8],
        endpoint=endpoint[:300],
        pupil_count=len(ids),
        pupil_ids=ids,
    )
