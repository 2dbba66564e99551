"""A contact opting out of messages, or back in (the parents' portal, or the office on the
family's word). The import never touches it (registers/services/imports/contacts.py);
queued messages to an opted-out contact are not sent (services/messages.py)."""

from __future__ import annotations

from django.utils import timezone

from registers.models import Contact


def set_opt_out(*, contact: Contact, opted_out: bool) -> Contact:
    """Opt the contact out of every message (or back in); idempotent."""
    if opted_out == contact.opted_out:
        return contact
    contact.opted_out_at = timezone.now() if opted_out else None
    contact.save(update_fields=["opted_out_at", "updated_at"])
    return contact
