"""`Authorization: Bearer <token>`: the API's only way in (no sessions, so no CSRF)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .services.tokens import find_token


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token: HasToken answers 401
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>'."
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = find_token(secret)
        if token is None:
            # Unknown, revoked and expired alike: a caller learns nothing about which.
            raise exceptions.AuthenticationFailed(
                "The token is not valid, or was revoked or expired."
            )
        return (None, token)

    def authenticate_header(self, request) -> str:
        return self.keyword  # makes an unauthenticated call 401 (with WWW-Authenticate)


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme: HTTP bearer."""

    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, _auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API token (apt_…)."}
