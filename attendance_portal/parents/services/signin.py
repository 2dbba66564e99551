"""The parents' passwordless sign-in: ask for a code, enter it, and the session it opens.

The answer to "send me a code" is the same whether or not the school holds the contact: a
challenge is made either way, and the page does the same work either way (count, make the
challenge, hand it to the task). Looking the contact up and sending the code is the task's
work (issue_code, run by parents.send_sign_in_code after commit), so no response waits on
an email or SMS provider and none is slower for a contact the school holds
(docs/domain.md §13).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import Q
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
    challenge_id: int | None = None  # for the task that sends the code


def code_lifetime() -> dt.timedelta:
    """How long a code works (10 minutes; the message says so, from the same setting)."""
    return dt.timedelta(minutes=settings.PARENT_CODE_MINUTES)


def _key() -> bytes:
    return settings.SECRET_KEY.encode()


def request_code(*, key: rules.ContactKey, address: str, now: dt.datetime | None = None) -> Started:
    """Count the request and make a challenge, with no code yet: the same work whether or
    not the school holds the contact. The caller sends parents.send_sign_in_code for
    `challenge_id` after commit; issue_code does the rest."""
    now = now or timezone.now()
    charged = throttle.charge(
        [(Scope.CONTACT, key.throttle_key), (Scope.ADDRESS, address)], now=now
    )
    if not charged.allowed:
        return Started("", charged.locked_until)
    token = rules.new_token()
    with transaction.atomic():
        # Only the newest code of a contact works.
        SignInChallenge.objects.filter(
            channel=key.channel, contact=key.value, used_at__isnull=True
        ).update(used_at=now)
        challenge = SignInChallenge.objects.create(
            token_hash=rules.token_hash(token),
            channel=key.channel,
            contact=key.value,
            code_hash="",
            expires_at=now + code_lifetime(),
        )
    return Started(token, challenge_id=challenge.pk)


def issue_code(*, challenge_id: int, now: dt.datetime | None = None) -> bool:
    """Send a code for a live challenge if its contact is a parent's (True when sent).

    Safe to run twice: a challenge that already has a code, or is spent, replaced or
    expired, is left alone; one for a contact the school does not hold never gets a code.
    """
    now = now or timezone.now()
    with transaction.atomic():
        challenge = (
            SignInChallenge.objects.select_for_update()
            .filter(pk=challenge_id, used_at__isnull=True, code_hash="", expires_at__gt=now)
            .first()
        )
        if challenge is None:
            return False
        key = rules.ContactKey(rules.Channel(challenge.channel), challenge.contact)
        contact = selectors.first_parent_contact(key, today=timezone.localdate(now))
        if contact is None:
            return False
        code = rules.new_code()
        challenge.code_hash = rules.code_hash(code, key=_key(), salt=challenge.token_hash)
        challenge.save(update_fields=["code_hash"])
    try:
        delivery.send_code(contact, challenge.channel, code)
    except Exception:  # the parent asks again; the page never tells anyone why
        log.exception("A parent's sign-in code could not be sent by %s", challenge.channel)
        return False
    return True


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


def purge_expired(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Forget spent challenges, idle or too old sessions and old counts (a parent's contact
    is personal data: kept no longer than the sign-in needs it). Beat runs it
    (parents.purge_expired); safe to run twice."""
    now = now or timezone.now()
    idle = dt.timedelta(seconds=settings.PARENT_SESSION_IDLE_SECONDS)
    longest = dt.timedelta(seconds=settings.PARENT_SESSION_MAX_SECONDS)
    challenges, _ = SignInChallenge.objects.filter(
        expires_at__lt=now - dt.timedelta(hours=1)
    ).delete()
    sessions, _ = ParentSession.objects.filter(
        Q(last_seen_at__lte=now - idle) | Q(created_at__lte=now - longest)
    ).delete()
    return {"challenges": challenges, "sessions": sessions, "counts": throttle.purge(now=now)}
