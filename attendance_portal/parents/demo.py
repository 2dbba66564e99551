"""The demo's parent (a step of `seed_demo`, registered in ParentsConfig.ready()): one
contact of the demo school gets an email address the README names, so a new user can sign
in at /parents/ with the code the console (or file) email backend shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from escalation.models import Case
from registers.models import Contact, Mark, School

DEMO_PARENT_EMAIL = "parent@example.com"


def seed_demo_parent(
    *, school: School, seed: str, today: dt.date, log: Callable[[str], None] = print
) -> None:
    """The first contact with parental responsibility of a pupil with an open case (so the
    figures, the calculator and the letters have something to say), preferring one away
    without a reason on the demo's last school day (so the report-and-accept journey has a
    row on the calling list); else of any pupil on roll."""
    last_n = (
        Mark.objects.for_school(school)
        .filter(date__lte=today, code_id="N", session="AM")
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    away = set(
        Mark.objects.for_school(school)
        .filter(date=last_n, code_id="N", session="AM")
        .values_list("pupil_id", flat=True)
    )
    cases = set(Case.objects.for_school(school).open().values_list("pupil_id", flat=True))
    contacts = Contact.objects.for_school(school).filter(
        parental_responsibility=True, pupil__leaving_date__isnull=True
    )
    contact = None
    for pupils in (away & cases, cases, away):
        contact = contacts.filter(pupil_id__in=pupils).order_by("pupil_id", "priority").first()
        if contact is not None:
            break
    contact = contact or contacts.order_by("pupil__surname", "priority", "pk").first()
    if contact is None:
        return
    # Nobody else in the demo has this address; the contact is the parent of the pupil
    # (and of any brother or sister, who share the family's contacts).
    Contact.objects.filter(email__iexact=DEMO_PARENT_EMAIL).update(email="")
    Contact.objects.filter(pk=contact.pk).update(email=DEMO_PARENT_EMAIL, receives_messages=True)
    log(
        f"parent portal: {contact.name}, a parent of {contact.pupil.name}, signs in at "
        f"/parents/ as {DEMO_PARENT_EMAIL} (the code is in the email the console shows)"
    )
