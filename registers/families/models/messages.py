"""Messages to families (SMS and email), each school's wording, and its sending policy.

A message is one text to one contact by one channel. Its `idempotency_key` names what it
is about (kind, pupil, day and session or the thing it reports, contact, channel), and the
database keeps it unique per school: a retry or a second worker that tries to send the
same message finds the row and sends nothing (docs/style.md rule 17).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from registers.models.base import SchoolScopedQuerySet, TimeStamped


class Kind(models.TextChoices):
    FIRST_DAY = "first_day", "First-day absence"
    LATE = "late", "Late arrival"
    LETTER = "letter", "Letter (emailed copy)"
    LEAVE_DECISION = "leave_decision", "Leave decision"
    POSITIVE = "positive", "Positive news"


class Channel(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"


class MessageQuerySet(SchoolScopedQuerySet):
    def due(self, now: dt.datetime):
        """Queued rows whose time has come (after quiet hours or a retry's wait)."""
        return self.filter(status=Message.Status.QUEUED, not_before__lte=now)


class Message(TimeStamped):
    Kind = Kind
    Channel = Channel

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    # Statuses a worker may still act on; the rest are final (delivered can only follow sent).
    PENDING = (Status.QUEUED, Status.SENDING)

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    # CASCADE: messages go with the pupil's record at the end of retention (privacy.py).
    pupil = models.ForeignKey(
        "registers.Pupil", on_delete=models.CASCADE, related_name="family_messages"
    )
    contact = models.ForeignKey(
        "registers.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    # Who and where, as sent: the contact's row may change or go after.
    to_name = models.CharField(max_length=200)
    to_address = models.CharField(max_length=254)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    date = models.DateField(help_text="The school day the message is about.")
    session = models.CharField(max_length=2, blank=True)
    idempotency_key = models.CharField(max_length=200)
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    # A PDF sent with an emailed letter: the generated letter's file, by its storage name.
    attachment = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    not_before = models.DateTimeField(help_text="Not sent before this (quiet hours).")
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_id = models.CharField(max_length=100, blank=True)
    provider_status = models.CharField(max_length=40, blank=True)
    error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "idempotency_key"], name="families_message_sent_once"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["sent", "delivered"]) | Q(sent_at__isnull=False),
                name="families_message_sent_has_time",
            ),
        ]
        indexes = [
            # The calling list and the pupil page: a school's messages about a day / a pupil.
            models.Index(fields=["school", "date", "kind"], name="families_message_day_idx"),
            models.Index(fields=["pupil", "-created_at"], name="families_message_pupil_idx"),
            # The sender's queue and the delivery-status poll.
            models.Index(
                fields=["status", "not_before"],
                name="families_message_queue_idx",
                condition=Q(status__in=["queued", "sending", "sent"]),
            ),
            # Notify's callback finds the message by the provider's id.
            models.Index(fields=["provider_id"], name="families_message_provider_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_name} by {self.get_channel_display()}"


class MessageTemplate(TimeStamped):
    """A school's own wording of one kind; without a row the default wording is used
    (registers/families/wording.py). Plain text with {{ placeholders }}, never template code."""

    Kind = Kind

    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="message_templates"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind"], name="families_messagetemplate_one_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} wording"


class FamilyPolicy(TimeStamped):
    """How a school messages families. Without a row, the defaults below apply."""

    class Channels(models.TextChoices):
        SMS = "sms", "Text message"
        EMAIL = "email", "Email"
        BOTH = "both", "Text message and email"
        NONE = "none", "No messages"

    school = models.OneToOneField(
        "registers.School", on_delete=models.CASCADE, related_name="family_policy"
    )
    channels = models.CharField(max_length=5, choices=Channels.choices, default=Channels.BOTH)
    # The first-day message goes this long after the register closes: time for the late
    # arrivals to be marked, and for parents who ring in to be recorded.
    first_day_minutes = models.PositiveSmallIntegerField(
        "first-day message, minutes after the morning register closes",
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(240)],
    )
    first_day_all_contacts = models.BooleanField(
        "first-day message to every contact who receives messages (not only the first)",
        default=False,
    )
    late_messages = models.BooleanField("message families when a pupil arrives late", default=False)
    quiet_from = models.TimeField("no messages from", default=dt.time(20, 0))
    quiet_until = models.TimeField("no messages until", default=dt.time(8, 0))
    daily_cap = models.PositiveIntegerField(
        "at most this many messages a day",
        default=1000,
        validators=[MaxValueValidator(100000)],
    )

    class Meta:
        verbose_name_plural = "family policies"

    def __str__(self) -> str:
        return f"Messages policy of {self.school}"

    def quiet_at(self, moment: dt.time) -> bool:
        """Is `moment` (school time) inside the quiet hours? They may run over midnight."""
        if self.quiet_from == self.quiet_until:
            return False
        if self.quiet_from < self.quiet_until:
            return self.quiet_from <= moment < self.quiet_until
        return moment >= self.quiet_from or moment < self.quiet_until
