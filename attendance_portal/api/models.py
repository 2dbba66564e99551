"""API tokens, the log of pupil-level calls, and the answers kept for idempotency keys.

A token is shown once and stored as its SHA-256 digest: it is 32 random bytes, so a slow
password hash would add nothing (nobody can guess it), and the digest lets a request find
its token with one indexed lookup.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from registers.models import School, Trust
from registers.models.base import SchoolScopedQuerySet, TimeStamped


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def covering(self, school: School):
        """Tokens whose scope includes this school: its own and its trust's."""
        scope = Q(school=school)
        if school.trust_id is not None:
            scope |= Q(trust_id=school.trust_id)
        return self.filter(scope)


class ApiToken(TimeStamped):
    class Level(models.TextChoices):
        AGGREGATE = "aggregate", "Aggregate figures only (small numbers withheld)"
        PUPIL = "pupil", "Pupil-level data"

    class Access(models.TextChoices):
        READ = "read", "Read"
        READ_WRITE = "read_write", "Read and write"

    name = models.CharField(max_length=100)
    # The first characters of the token, shown in lists so that a person can tell which
    # token a log line or a leaked string is; never enough to use it.
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 hex of the whole token
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    level = models.CharField(max_length=10, choices=Level.choices)
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.READ)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_tokens_created",
    )
    created_by_name = models.CharField(max_length=150)  # kept if the user is deleted
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_name = models.CharField(max_length=150, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        constraints = [
            # One school or one trust, never both, never neither.
            models.CheckConstraint(
                condition=(Q(school__isnull=False) & Q(trust__isnull=True))
                | (Q(school__isnull=True) & Q(trust__isnull=False)),
                name="api_apitoken_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(level__in=["aggregate", "pupil"]), name="api_apitoken_level_known"
            ),
            models.CheckConstraint(
                condition=Q(access__in=["read", "read_write"]), name="api_apitoken_access_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def pupil_level(self) -> bool:
        return self.level == self.Level.PUPIL

    @property
    def can_write(self) -> bool:
        return self.access == self.Access.READ_WRITE

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def covers(self, school: School) -> bool:
        if self.school_id is not None:
            return self.school_id == school.pk
        return school.trust_id is not None and school.trust_id == self.trust_id


class ApiAccess(models.Model):
    """One call that returned pupil-level data: the school must be able to show who
    accessed which pupils' data, and when (UK GDPR Art. 5(2), accountability)."""

    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="accesses")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="api_accesses")
    method = models.CharField(max_length=8)
    endpoint = models.CharField(max_length=300)  # path and query string
    pupil_count = models.PositiveIntegerField()
    # Pupil ids, not UPNs: the log names pupils only while the school still holds them.
    pupil_ids = models.JSONField(default=list)
    at = models.DateTimeField(default=timezone.now)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        # The head's access log: newest first, one school.
        indexes = [models.Index(fields=["school", "-at"], name="api_apiaccess_school_at_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint} ({self.pupil_count} pupils)"


class IdempotentRequest(models.Model):
    """The answer to a write sent with an Idempotency-Key, returned again to a retry."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="requests")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # A retry racing the first request waits on this row, then finds its answer.
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotentrequest_once")
        ]

    def __str__(self) -> str:
        return self.key
