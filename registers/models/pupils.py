from __future__ import annotations

import datetime as dt

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from registers import flags

from .base import SchoolScopedQuerySet, TimeStamped

YEAR_GROUPS = ["N1", "N2", "R"] + [str(n) for n in range(1, 15)]


class Form(TimeStamped):
    """A registration group: a primary class or a secondary tutor group."""

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="forms")
    name = models.CharField(max_length=30)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="registers_form_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PupilQuerySet(SchoolScopedQuerySet):
    def on_roll(self, day: dt.date):
        return self.filter(admission_date__lte=day).filter(
            Q(leaving_date__isnull=True) | Q(leaving_date__gte=day)
        )

    def on_roll_between(self, start: dt.date, end: dt.date):
        """Pupils on roll at any point of [start, end]."""
        return self.filter(admission_date__lte=end).filter(
            Q(leaving_date__isnull=True) | Q(leaving_date__gte=start)
        )

    def vulnerable_first(self):
        """Order for calling lists: social worker, looked after, SEND, pupil premium first."""
        return self.order_by(
            "-cin",
            "-cla",
            models.Case(models.When(sen="E", then=0), models.When(sen="K", then=1), default=2),
            "-pupil_premium",
            "surname",
            "forename",
        )


class Pupil(TimeStamped):
    class SEN(models.TextChoices):
        NONE = "N", "No SEN"
        SUPPORT = "K", "SEN support"
        EHCP = "E", "EHC plan"

    class Gender(models.TextChoices):
        UNKNOWN = "", "Not recorded"
        FEMALE = "F", "Female"
        MALE = "M", "Male"

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="pupils")
    upn = models.CharField(
        "UPN",
        max_length=13,
        validators=[
            RegexValidator(
                r"^[A-Z][0-9]{11}[0-9A-Z]$",
                "A UPN is 13 characters: a letter, eleven digits, then a digit or a letter.",
            )
        ],
    )
    surname = models.CharField(max_length=100)
    forename = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    year_group = models.CharField(max_length=2, choices=[(y, y) for y in YEAR_GROUPS])
    form = models.ForeignKey(
        Form, null=True, blank=True, on_delete=models.SET_NULL, related_name="pupils"
    )
    admission_date = models.DateField()
    leaving_date = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=1, choices=Gender.choices, blank=True, default="")
    pupil_premium = models.BooleanField(default=False)
    fsm = models.BooleanField("free school meals", default=False)
    sen = models.CharField("SEND", max_length=1, choices=SEN.choices, default=SEN.NONE)
    eal = models.BooleanField("English as an additional language", default=False)
    cin = models.BooleanField("has a social worker", default=False)
    cla = models.BooleanField("looked after", default=False)
    young_carer = models.BooleanField(default=False)

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["surname", "forename"]
        constraints = [
            models.UniqueConstraint(fields=["school", "upn"], name="registers_pupil_upn_unique"),
            models.CheckConstraint(
                condition=Q(leaving_date__isnull=True)
                | Q(leaving_date__gte=models.F("admission_date")),
                name="registers_pupil_on_roll_dates_ordered",
            ),
        ]
        indexes = [
            # Register screens list a form's pupils in name order.
            models.Index(fields=["form", "surname", "forename"], name="registers_pupil_form_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"

    def on_roll(self, day: dt.date) -> bool:
        return self.admission_date <= day and (
            self.leaving_date is None or day <= self.leaving_date
        )

    @property
    def flags(self) -> list[str]:
        """Short labels of the contextual flags that are set, for badges."""
        return flags.badges(flags.values_of(self))


class ContactQuerySet(SchoolScopedQuerySet):
    def messageable(self):
        """Contacts the school may message: the file says they receive messages and they
        have not opted out (docs/domain.md §12)."""
        return self.filter(receives_messages=True, opted_out_at__isnull=True)


class Contact(TimeStamped):
    """Someone the school contacts about a pupil, in calling order.

    Contacts come from the MIS (`import_contacts`, docs/interfaces.md). `phone` is E.164
    (`registers/phones.py`) or empty. A parent may opt out of messages (`opted_out_at`);
    the import never clears that, so re-importing the MIS file cannot undo an opt-out.
    """

    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="contacts"
    )
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=40, blank=True, help_text="E.164, e.g. +447700900123.")
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(default=1)
    parental_responsibility = models.BooleanField(default=True)
    receives_messages = models.BooleanField(default=True)
    lives_with_pupil = models.BooleanField(default=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "priority"], name="registers_contact_priority_unique"
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1), name="registers_contact_priority_positive"
            ),
        ]
        indexes = [
            # The parents' sign-in finds a contact by the email or mobile the school holds.
            models.Index(fields=["email"], name="registers_contact_email_idx"),
            models.Index(fields=["phone"], name="registers_contact_phone_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None
