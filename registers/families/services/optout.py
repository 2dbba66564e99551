"""A contact opting out of messages, or back in: the parent in the parent portal, or the
office on the family's word. The import never touches it (registers/services/imports/
contacts.py); queued messages to an opted-out contact are not sent (services/messages.py).
Every change is audited (models.OptOutChange: who, when)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from registers.actors import Actor
from registers.families.models import OptOutChange
from registers.models import Contact

PARENT_PORTAL = "the parent (parent portal)"


def set_opt_out(*, contact: Contact, opted_out: bool, actor: Actor | None) -> Contact:
    """Opt the contact out of every message (or back in); idempotent: no change, no audit
    row. `actor` None is the contact themselves, signed in to the parent portal."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if opted_out == contact.opted_out:
            return contact
        now = timezone.now()
        contact.opted_out_at = now if opted_out else None
        contact.save(update_fields=["opted_out_at", "updated_at"])
        OptOutChange.objects.create(
            school_id=contact.school_id,
            contact=contact,
            opted_out=opted_out,
            source=OptOutChange.Source.PARENT if actor is None else OptOutChange.Source.OFFICE,
            changed_by=actor.user if actor else None,
            changed_by_name=actor.name if actor else PARENT_PORTAL,
            changed_at=now,
        )
    return contact
