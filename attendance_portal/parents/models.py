"""The parents' sign-in: one-time codes, sessions and the throttle.

None of these is an account. A parent is whoever can receive a code at an email address or
mobile number the school holds for a contact with parental responsibility; what they may see
is worked out from the school's contact rows on every request (selectors.py).
"""

from __future__ import annotations

from django.db import models

from attendance_portal.parents.rules import Channel
from attendance_portal.signin.rules import Count

CHANNEL_CHOICES = [(c.value, c.value) for c in Channel]


class SignInChallenge(models.Model):
    """One request for a code: made for every contact typed, held by the browser's cookie.

    A contact the school does not hold gets a challenge too, with no code (`code_hash`
    empty), so the answer is the same whether or not the contact exists.
    """

    token_hash = models.CharField(max_length=64, unique=True)  # sha256 of the browser's token
    channel = models.CharField(max_length=8, choices=CHANNEL_CHOICES)
    contact = models.CharField(max_length=254)  # the normalised contact key
    code_hash = models.CharField(max_length=64, blank=True)  # HMAC; empty: nothing was sent
    tries = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Purging spent challenges (services.signin.purge_expired).
            models.Index(fields=["expires_at"], name="parents_challenge_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tries__lte=5), name="parents_signinchallenge_at_most_5_tries"
            ),
        ]

    def __str__(self) -> str:
        return f"code for {self.channel} contact (expires {self.expires_at:%H:%M})"


class ParentSession(models.Model):
    """A signed-in parent's session: its own cookie, never the staff session."""

    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=8, choices=CHANNEL_CHOICES)
    contact = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Purging idle sessions (services.signin.purge_expired).
            models.Index(fields=["last_seen_at"], name="parents_session_seen_idx"),
        ]

    def __str__(self) -> str:
        return f"parent session ({self.channel}) since {self.created_at:%Y-%m-%d %H:%M}"


class ParentThrottle(models.Model):
    """Code requests and wrong codes counted under one key, with signin's rules."""

    class Scope(models.TextChoices):
        CONTACT = "contact", "One contact, from any address"
        ADDRESS = "address", "One address, any contact"

    scope = models.CharField(max_length=8, choices=Scope.choices)
    key = models.CharField(max_length=270)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"], name="parents_parentthrottle_one_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.failures}"

    @property
    def count(self) -> Count:
        return Count(self.failures, self.window_started_at, self.locked_until)
