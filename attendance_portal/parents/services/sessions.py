"""A parent's session: looked up by the browser's token, ended when idle or signed out."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from attendance_portal.parents import rules
from attendance_portal.parents.models import ParentSession

# last_seen_at is written at most this often: not a write on every page.
TOUCH_EVERY = dt.timedelta(seconds=60)


def current_session(*, token: str, now: dt.datetime | None = None) -> ParentSession | None:
    """The live session for this token; an idle or too old one is ended here."""
    if not token:
        return None
    now = now or timezone.now()
    found = ParentSession.objects.filter(token_hash=rules.token_hash(token)).first()
    if found is None:
        return None
    idle = dt.timedelta(seconds=settings.PARENT_SESSION_IDLE_SECONDS)
    longest = dt.timedelta(seconds=settings.PARENT_SESSION_MAX_SECONDS)
    if found.last_seen_at + idle <= now or found.created_at + longest <= now:
        found.delete()
        return None
    if now - found.last_seen_at >= TOUCH_EVERY:
        found.last_seen_at = now
        found.save(update_fields=["last_seen_at"])
    return found


def end_session(*, token: str) -> None:
    if token:
        ParentSession.objects.filter(token_hash=rules.token_hash(token)).delete()
