"""Queueing and sending messages to families, exactly once each.

Queueing writes one Message row per (what it is about, contact, channel): the row's
`idempotency_key` is unique per school, so a second run of a job, a retry or a second
worker inserts nothing new (INSERT … ON CONFLICT DO NOTHING). Sending claims a queued row
with a conditional UPDATE (queued → sending) and acts only when it won the claim, so two
workers never both send it. A transient provider error puts the row back in the queue with
a later `not_before` (1, 2, 4 … minutes) until FAMILY_MESSAGE_RETRIES is spent; anything
else marks it failed, with the reason, for the calling list to show (docs/domain.md §12).

A message is never sent twice, at the price that a worker killed between its claim and the
provider's answer leaves a row "sending": `settle_stuck` marks such rows failed (unknown),
and the officer calls instead. Sending twice to a family is worse than once not at all.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from registers import phones
from registers.families import providers, wording
from registers.families.models import FamilyPolicy, Message, MessageTemplate
from registers.families.providers import Attachment, ProviderError
from registers.families.services import jobs
from registers.models import Contact, Pupil, School

Status, Channel = Message.Status, Message.Channel
log = logging.getLogger(__name__)
# Messages sent per task: each batch is claimed and recorded in one statement each.
SEND_BATCH = 50
# A row left "sending" this long was lost with its worker (see the module's docstring).
STUCK_AFTER = dt.timedelta(minutes=15)


def policy_for(school: School, *, lock: bool = False) -> FamilyPolicy:
    """The school's policy (created with the defaults on first use). Locked, it serialises
    queueing per school, so the daily cap is counted by one writer at a time."""
    policy, _ = FamilyPolicy.objects.get_or_create(school=school)
    if lock:
        policy = FamilyPolicy.objects.select_for_update().get(pk=policy.pk)
    return policy


def channels_of(policy: FamilyPolicy) -> tuple[str, ...]:
    return {
        FamilyPolicy.Channels.SMS: (Channel.SMS,),
        FamilyPolicy.Channels.EMAIL: (Channel.EMAIL,),
        FamilyPolicy.Channels.BOTH: (Channel.SMS, Channel.EMAIL),
    }.get(FamilyPolicy.Channels(policy.channels), ())


def messageable(pupil: Pupil) -> list[Contact]:
    """The contacts a query prefetched into `messageable` (Prefetch(..., to_attr=...))."""
    contacts: list[Contact] = vars(pupil)["messageable"]
    return contacts


def address_for(contact: Contact, channel: str) -> str:
    """Where a message by `channel` goes, or "" when this contact cannot get one."""
    if channel == Channel.SMS:
        return contact.phone if contact.phone and phones.is_mobile(contact.phone) else ""
    return contact.email


def wording_for(school: School, kind: str) -> tuple[str, str]:
    """The school's own subject and text for `kind`, or the default."""
    template = MessageTemplate.objects.for_school(school).filter(kind=kind).first()
    return (template.subject, template.body) if template else wording.default_wording(kind)


def base_values(*, school: School, pupil: Pupil, contact: Contact, day: dt.date) -> dict[str, str]:
    return {
        "pupil_forename": pupil.forename,
        "pupil_name": pupil.name,
        "contact_name": contact.name,
        "school_name": school.name,
        "school_phone": phones.shown(school.phone)
        if school.phone.startswith("+")
        else school.phone or "the school office",
        "date": f"{day:%A %-d %B}",
    }


def next_allowed(policy: FamilyPolicy, now: dt.datetime) -> dt.datetime:
    """`now`, or the end of the quiet hours when `now` falls inside them."""
    local = timezone.localtime(now)
    if not policy.quiet_at(local.time()):
        return now
    until = local.replace(
        hour=policy.quiet_until.hour, minute=policy.quiet_until.minute, second=0, microsecond=0
    )
    return until if until > local else until + dt.timedelta(days=1)


def sent_today(school: School, now: dt.datetime) -> int:
    """Messages counted against the daily cap: everything queued today but failures."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        Message.objects.for_school(school)
        .filter(created_at__gte=start)
        .exclude(status=Status.FAILED)
        .count()
    )


@dataclass(frozen=True)
class Draft:
    """One message to queue: about `pupil` (`kind`, `day`, `session`, `ref`), to `contact`."""

    pupil: Pupil
    contact: Contact
    kind: str
    day: dt.date
    values: dict[str, str]
    session: str = ""
    ref: str = ""
    attachment: str = ""


def idempotency_key(draft: Draft, channel: str) -> str:
    about = draft.ref or f"{draft.day.isoformat()}{draft.session}"
    return f"{draft.kind}:{draft.pupil.pk}:{about}:{draft.contact.pk}:{channel}"


@dataclass
class Queued:
    created: list[int]
    over_cap: int = 0


@transaction.atomic
def queue_messages(
    *,
    school: School,
    drafts: list[Draft],
    now: dt.datetime,
    created_by: Any = None,
    only: str = "",
) -> Queued:
    """Queue each draft by every channel of the school's policy the contact can take (or
    only by `only`, if the policy allows it), and send them after commit. Returns the ids
    of rows this call created (a re-run: none)."""
    policy = policy_for(school, lock=True)
    channels = tuple(c for c in channels_of(policy) if not only or c == only)
    not_before = next_allowed(policy, now)
    room = max(0, policy.daily_cap - sent_today(school, now))
    wordings: dict[str, tuple[str, str]] = {}
    rows: list[Message] = []
    for draft in drafts:
        contact = draft.contact
        if contact.opted_out or not contact.receives_messages:
            continue
        if draft.kind not in wordings:
            wordings[draft.kind] = wording_for(school, draft.kind)
        subject, body = wordings[draft.kind]
        for channel in channels:
            to = address_for(contact, channel)
            if not to:
                continue
            rows.append(
                Message(
                    school=school,
                    pupil=draft.pupil,
                    contact=contact,
                    to_name=contact.name,
                    to_address=to,
                    kind=draft.kind,
                    channel=channel,
                    date=draft.day,
                    session=draft.session,
                    idempotency_key=idempotency_key(draft, channel),
                    subject=wording.render(subject, draft.values)[:200],
                    text=wording.render(body, draft.values),
                    attachment=draft.attachment,
                    not_before=not_before,
                    created_by=created_by,
                )
            )
    keys = [row.idempotency_key for row in rows]
    existing = set(
        Message.objects.for_school(school)
        .filter(idempotency_key__in=keys)
        .values_list("idempotency_key", flat=True)
    )
    fresh = [row for row in rows if row.idempotency_key not in existing]
    over = fresh[room:]
    for row in over:
        row.status, row.error = Status.FAILED, "Not sent: the school's daily limit was reached."
    # Every queueing for this school holds the policy's row lock, so `existing` is the
    # truth and these rows are new; the unique constraint stays the final word.
    Message.objects.bulk_create(fresh, batch_size=500)
    created = [row.pk for row in fresh[:room]]
    for start in range(0, len(created), SEND_BATCH):
        jobs.send_on_commit(jobs.SEND_MESSAGES, created[start : start + SEND_BATCH])
    return Queued(created=created, over_cap=len(over))


def _attachment(message: Message) -> tuple[Attachment, ...]:
    if not message.attachment:
        return ()
    from django.core.files.storage import default_storage

    with default_storage.open(message.attachment, "rb") as handle:
        content = handle.read()
    return (Attachment(message.attachment.rsplit("/", 1)[-1], content),)


def _still_wanted(message: Message) -> str:
    """Why a queued message must not go after all ("" when it may)."""
    contact = message.contact
    if contact is None:
        return "The contact was removed before the message was sent."
    if contact.opted_out or not contact.receives_messages:
        return "The contact opted out before the message was sent."
    return ""


def claim(message_ids: list[int], now: dt.datetime) -> list[Message]:
    """queued → sending, each row for exactly one caller: the rows are locked (others'
    locks skipped) and moved on in one transaction, so two workers never both own one."""
    with transaction.atomic():
        mine = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=message_ids, status=Status.QUEUED, not_before__lte=now)
            .select_related("contact")
            .order_by("pk")
        )
        Message.objects.filter(pk__in=[m.pk for m in mine]).update(
            status=Status.SENDING, attempts=F("attempts") + 1, updated_at=now
        )
    for message in mine:
        message.status, message.attempts = Status.SENDING, message.attempts + 1
    return mine


@dataclass(frozen=True)
class Outcome:
    """What a send did: `retry_in` seconds when the caller should try again."""

    status: str
    retry_in: int | None = None


_RESULT_FIELDS = [
    "status",
    "not_before",
    "error",
    "provider_id",
    "provider_status",
    "sent_at",
    "delivered_at",
    "updated_at",
]


def _deliver(message: Message, now: dt.datetime) -> Outcome:
    """Hand one claimed message to its provider and set the row's fields from the answer
    (not saved: send_messages saves the batch in one statement)."""
    message.updated_at = now
    if why := _still_wanted(message):
        message.status, message.error = Status.FAILED, why
        return Outcome(Status.FAILED)
    try:
        if message.channel == Channel.SMS:
            sent = providers.send_sms(to=message.to_address, text=message.text)
        else:
            sent = providers.send_email(
                to=message.to_address,
                subject=message.subject,
                text=message.text,
                attachments=_attachment(message),
            )
    except ProviderError as exc:
        message.error = str(exc)[:300]
        if exc.transient and message.attempts <= settings.FAMILY_MESSAGE_RETRIES:
            delay = 60 * 2 ** (message.attempts - 1)
            message.status = Status.QUEUED
            message.not_before = now + dt.timedelta(seconds=delay)
            return Outcome(Status.QUEUED, retry_in=delay)
        message.status = Status.FAILED
        return Outcome(Status.FAILED)
    except Exception as exc:  # a bug or a misconfiguration must not strand the batch
        log.exception("Message %s could not be sent", message.pk)
        message.status, message.error = Status.FAILED, f"{type(exc).__name__}: {exc}"[:300]
        return Outcome(Status.FAILED)
    message.status = Status.DELIVERED if sent.delivered else Status.SENT
    message.provider_id, message.provider_status = sent.provider_id, sent.status[:40]
    message.sent_at = now
    message.delivered_at = now if sent.delivered else None
    return Outcome(message.status)


def send_messages(*, message_ids: list[int], now: dt.datetime | None = None) -> dict[int, Outcome]:
    """Send the queued messages among `message_ids` that this caller claims; safe to call
    any number of times (a redelivered task, a second worker). Claims and results are
    written for the whole batch at once: two commits per batch, not two per message."""
    now = now or timezone.now()
    mine = claim(message_ids, now)
    outcomes = {message.pk: _deliver(message, now) for message in mine}
    Message.objects.bulk_update(mine, _RESULT_FIELDS, batch_size=200)
    return outcomes


def send_message(*, message_id: int, now: dt.datetime | None = None) -> Outcome:
    """send_messages for one message; the row's status when another caller had it."""
    outcome = send_messages(message_ids=[message_id], now=now).get(message_id)
    if outcome is None:
        current = Message.objects.filter(pk=message_id).values_list("status", flat=True).first()
        return Outcome(current or "missing")
    return outcome


# Notify's words for a final status (https://docs.notifications.service.gov.uk/python.html).
_FAILED_WORDS = frozenset({"permanent-failure", "temporary-failure", "technical-failure"})


def record_delivery(*, provider_id: str, provider_status: str, now: dt.datetime) -> bool:
    """A provider's word on a message it accepted (a callback or a poll); True if known."""
    fields: dict[str, Any] = {"provider_status": provider_status[:40], "updated_at": now}
    if provider_status == "delivered":
        fields |= {"status": Status.DELIVERED, "delivered_at": now}
    elif provider_status in _FAILED_WORDS:
        fields |= {"status": Status.FAILED, "error": f"Not delivered ({provider_status})."}
    return bool(
        Message.objects.filter(provider_id=provider_id, status=Status.SENT)
        .exclude(provider_id="")
        .update(**fields)
    )


def poll_deliveries(*, now: dt.datetime, limit: int = 500) -> int:
    """Ask the SMS provider about texts it accepted in the last three days (when there is
    no callback), and settle rows lost with their worker. Returns rows updated."""
    updated = 0
    recent = now - dt.timedelta(days=3)
    for provider_id in (
        Message.objects.filter(status=Status.SENT, channel=Channel.SMS, sent_at__gte=recent)
        .exclude(provider_id="")
        .values_list("provider_id", flat=True)[:limit]
    ):
        try:
            word = providers.delivery_status(provider_id)
        except ProviderError:
            break  # the provider is down: try again next time
        if word:
            updated += record_delivery(provider_id=provider_id, provider_status=word, now=now)
    updated += settle_stuck(now=now)
    return updated


def settle_stuck(*, now: dt.datetime) -> int:
    return Message.objects.filter(status=Status.SENDING, updated_at__lt=now - STUCK_AFTER).update(
        status=Status.FAILED,
        error="Unknown: the sender stopped while sending; it may not have arrived.",
        updated_at=now,
    )


def due_messages(*, now: dt.datetime) -> list[int]:
    """Queued rows whose time has come (after quiet hours or a retry's wait)."""
    return list(Message.objects.due(now).order_by("not_before").values_list("pk", flat=True)[:1000])


def save_template(*, school: School, kind: str, subject: str, body: str, user: Any) -> None:
    """A school's own wording of `kind` (validated by the form: placeholders only)."""
    MessageTemplate.objects.update_or_create(
        school=school, kind=kind, defaults={"subject": subject, "body": body, "updated_by": user}
    )


def reset_template(*, school: School, kind: str) -> None:
    MessageTemplate.objects.for_school(school).filter(kind=kind).delete()
