"""The parents' passwordless sign-in: ask for a code, enter it, and the session it opens.

The answer to "send me a code" is the same whether or not the school holds the contact: a
challenge is made either way, and only a held contact gets a code (docs/domain.md §13).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from attendance_portal.parents import delivery, rules, selectors
from attendance_portal.parents.models import ParentSession, SignInChallenge
from attendance_portal.parents.services import throttle

log = logging.getLogger(__name__)
Scope = throttle.Scope


@dataclass(frozen=True)
class Started:
    token: str  # the challenge's token, for the browser; "" when refused
    locked_until: dt.datetime | None = None


def code_lifetime() -> dt.timedelta:
    """How long a code works (10 minutes; the message says so, from the same setting)."""
    return dt.timedelta(minutes=settings.PARENT_CODE_MINUTES)


def _key() -> bytes:
    return settings.SECRET_KEY.encode()


def request_code(*, key: rules.ContactKey, address: str, now: dt.datetime | None = None) -> Started:
    """Count the request, make a challenge, and send a code if the contact is a parent's."""
    now = now or timezone.now()
    charged = throttle.charge(
        [(Scope.CONTACT, key.throttle_key), (Scope.ADDRESS, address)], now=now
    )
    if not charged.allowed:
        return Started("", charged.locked_until)
    token = rules.new_token()
    token_hash = rules.token_hash(token)
    code = rules.new_code()
    contact = selectors.first_parent_contact(key, today=now.date())
    known = contact is not None
    with transaction.atomic():
        # Only the newest code of a contact works.
        SignInChallenge.objects.filter(
            channel=key.channel, contact=key.value, used_at__isnull=True
        ).update(used_at=now)
        SignInChallenge.objects.create(
            token_hash=token_hash,
            channel=key.channel,
            contact=key.value,
            code_hash=rules.code_hash(code, key=_key(), salt=token_hash) if known else "",
            expires_at=now + code_lifetime(),
        )
    if contact is not None:
        try:
            delivery.send_code(contact, key.channel, code)
        except Exception:  # the parent asks again; the page must not tell anyone why
            log.exception("A parent's sign-in code could not be sent by %s", key.channel)
    _purge(now)
    return Started(token)


class Outcome(StrEnum):
    SIGNED_IN = "signed_in"
    WRONG = "wrong"
    EXPIRED = "expired"  # expired, used, replaced by a newer code, or out of tries
    LOCKED = "locked"  # the address is throttled


@dataclass(frozen=True)
class Checked:
    outcome: Outcome
    session_token: str = ""
    tries_left: int = 0
    locked_until: dt.datetime | None = None


def check_code(
    *, challenge_token: str, code: str, address: str, now: dt.datetime | None = None
) -> Checked:
    """One try at a challenge's code: five per code, each wrong one counted against the
    address too. The right code opens a parent session and spends the challenge."""
    now = now or timezone.now()
    locked = throttle.locked_until([(Scope.ADDRESS, address)], now=now)
    if locked is not None:
        return Checked(Outcome.LOCKED, locked_until=locked)
    with transaction.atomic():
        challenge = (
            SignInChallenge.objects.select_for_update()
            .filter(token_hash=rules.token_hash(challenge_token or ""), used_at__isnull=True)
            .first()
        )
        if challenge is None or challenge.expires_at <= now or challenge.tries >= rules.CODE_TRIES:
            return Checked(Outcome.EXPIRED)
        if rules.code_matches(code, challenge.code_hash, key=_key(), salt=challenge.token_hash):
            challenge.used_at = now
            challenge.save(update_fields=["used_at"])
            return Checked(Outcome.SIGNED_IN, session_token=_open_session(challenge, now))
        challenge.tries += 1
        if challenge.tries >= rules.CODE_TRIES:
            challenge.used_at = now
        challenge.save(update_fields=["tries", "used_at"])
        tries_left = rules.CODE_TRIES - challenge.tries
    charged = throttle.charge([(Scope.ADDRESS, address)], now=now)
    if not charged.allowed:
        return Checked(Outcome.LOCKED, locked_until=charged.locked_until)
    if tries_left <= 0:
        return Checked(Outcome.EXPIRED)
    return Checked(Outcome.WRONG, tries_left=tries_left)


def _open_session(challenge: SignInChallenge, now: dt.datetime) -> str:
    token = rules.new_token()
    ParentSession.objects.create(
        token_hash=rules.token_hash(token),
        channel=challenge.channel,
        contact=challenge.contact,
        last_seen_at=now,
    )
    return token


def _purge(now: dt.datetime) -> None:
    """Forget spent challenges, idle sessions and old counts (a parent's contact is personal
    data: kept no longer than the sign-in needs it)."""
    SignInChallenge.objects.filter(expires_at__lt=now - dt.timedelta(hours=1)).delete()
    idle = dt.timedelta(seconds=settings.PARENT_SESSION_IDLE_SECONDS)
    ParentSession.objects.filter(last_seen_at__lt=now - idle).delete()
    throttle.purge(now=now)
