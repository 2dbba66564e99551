from __future__ import annotations

from django.db import models

from attendance_portal.signin.rules import Count


class SignInThrottle(models.Model):
    """Failed password attempts counted under one key (see signin/rules.py).

    Kept in the database, not the cache: the count must be atomic across web processes
    (a row lock) and sign-in must keep working when Redis is down.
    """

    class Scope(models.TextChoices):
        USER_ADDRESS = "user_address", "Username from one address"
        ADDRESS = "address", "Any username from one address"

    scope = models.CharField(max_length=16, choices=Scope.choices)
    # NFKC + casefold (rules.normalise_username); empty for the address scope.
    username = models.CharField(max_length=150, blank=True)
    address = models.CharField(max_length=64, blank=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "username", "address"], name="signin_signinthrottle_one_per_key"
            ),
            models.CheckConstraint(
                condition=~models.Q(scope="address") | models.Q(username=""),
                name="signin_signinthrottle_address_scope_has_no_username",
            ),
        ]
        indexes = [
            # The unlock page looks rows up by the school's staff usernames.
            models.Index(fields=["username"], name="signin_throttle_username_idx"),
            # Purging forgotten rows (services.begin_attempt).
            models.Index(fields=["window_started_at"], name="signin_throttle_window_idx"),
        ]

    def __str__(self) -> str:
        who = f"{self.username} from " if self.username else ""
        return f"{who}{self.address or 'unknown address'}: {self.failures} failures"

    @property
    def count(self) -> Count:
        return Count(self.failures, self.window_started_at, self.locked_until)
