"""Who may call what: the token's scope (one school or its trust), level (aggregate-only or
pupil-level) and access (read or read-write).

The order of the answers follows the portal's pages: no token 401; a school outside the
token's scope 404 (so a token learns nothing about other schools); a call the token's
level or access does not allow 403.
"""

from __future__ import annotations

from rest_framework import exceptions, permissions

from registers.models import School, Trust

from .models import ApiToken


class HasToken(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, ApiToken):
            raise exceptions.NotAuthenticated("Send a token as 'Authorization: Bearer <token>'.")
        return True


def token_of(request) -> ApiToken:
    token = request.auth
    assert isinstance(token, ApiToken)  # HasToken ran first
    return token


def school_in_scope(request, urn: str, *, pupil_level: bool = False, write: bool = False) -> School:
    """The school by URN if the token covers it (else 404), at the level and access asked
    (else 403)."""
    token = token_of(request)
    school = School.objects.select_related("trust").filter(urn=urn).first()
    if school is None or not token.covers(school):
        raise exceptions.NotFound("No such school for this token.")
    # A trust's token is aggregate-only (services.tokens), even one stored before that rule.
    if pupil_level and (not token.pupil_level or token.trust_id is not None):
        raise exceptions.PermissionDenied("This token is for aggregate figures only.")
    if write and not token.can_write:
        raise exceptions.PermissionDenied("This token may only read.")
    return school


def trust_in_scope(request) -> Trust:
    token = token_of(request)
    if token.trust is None:
        raise exceptions.NotFound("This token covers one school, not a trust.")
    return token.trust


def schools_in_scope(token: ApiToken) -> list[School]:
    if token.school is not None:
        return [token.school]
    return list(
        School.objects.filter(trust_id=token.trust_id).select_related("trust").order_by("urn")
    )
