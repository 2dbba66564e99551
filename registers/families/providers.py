"""The providers that carry messages: email through Django's email backend, SMS through
the backend `SMS_BACKEND` names. Nothing here knows about pupils or policies; it sends one
text to one address and says what happened.

Email: `EMAIL_BACKEND` (console, file, smtp, or a django-anymail backend for a real
provider; anymail puts the provider's id on `message.anymail_status`).
SMS: `console` (prints, for `make run`), `file` (one file per text in `SMS_FILE_PATH`, for
demos and browser tests), `locmem` (kept in `outbox`, for tests) or `notify` (GOV.UK Notify
through its own client, `notifications-python-client`; never a hand-written HTTP client).
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.utils import timezone

from registers.phones import is_mobile


class ProviderError(Exception):
    """A send that failed. `transient` ones (the provider busy or down, a timeout) are
    retried with backoff; the others (a bad number, a rejected key) never will succeed."""

    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes
    mimetype: str = "application/pdf"


@dataclass(frozen=True)
class Sent:
    """What the provider said: its id for the message (to match a delivery receipt) and a
    status in its own words."""

    provider_id: str
    status: str = "sent"
    delivered: bool = False


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str) -> Sent: ...

    def status(self, provider_id: str) -> str | None: ...


class ConsoleSms:
    def send(self, *, to: str, text: str) -> Sent:
        sys.stdout.write(f"SMS to {to}:\n{text}\n{'-' * 40}\n")
        return Sent(f"console-{uuid.uuid4()}", "delivered", delivered=True)

    def status(self, provider_id: str) -> str | None:
        return None


class FileSms:
    """One file per text, named by time and id, in SMS_FILE_PATH (like Django's file email
    backend), so a demo or a browser test can read what was sent."""

    def send(self, *, to: str, text: str) -> Sent:
        folder = Path(settings.SMS_FILE_PATH or Path(settings.BASE_DIR) / "sent-sms")
        folder.mkdir(parents=True, exist_ok=True)
        provider_id = f"file-{uuid.uuid4()}"
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{provider_id}.txt"
        (folder / name).write_text(f"To: {to}\n\n{text}\n", encoding="utf-8")
        return Sent(provider_id, "delivered", delivered=True)

    def status(self, provider_id: str) -> str | None:
        return None


@dataclass
class LocmemSms:
    """Texts kept in memory (`outbox`), as Django's locmem email backend keeps emails."""

    outbox: list[tuple[str, str]] = field(default_factory=list)

    def send(self, *, to: str, text: str) -> Sent:
        self.outbox.append((to, text))
        return Sent(f"locmem-{len(self.outbox)}", "delivered", delivered=True)

    def status(self, provider_id: str) -> str | None:
        return None


class NotifySms:
    """GOV.UK Notify: one SMS template whose whole text is the personalisation `body`
    (NOTIFY_SMS_TEMPLATE_ID), so each school's wording stays in the portal."""

    # Notify's final statuses (https://docs.notifications.service.gov.uk/python.html).
    DELIVERED = "delivered"
    FAILED = frozenset({"permanent-failure", "temporary-failure", "technical-failure"})

    def __init__(self) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        if not settings.NOTIFY_API_KEY or not settings.NOTIFY_SMS_TEMPLATE_ID:
            raise ImproperlyConfigured(
                "SMS_BACKEND=notify needs NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID."
            )
        self.client = NotificationsAPIClient(settings.NOTIFY_API_KEY)

    def send(self, *, to: str, text: str) -> Sent:
        from notifications_python_client.errors import APIError

        try:
            response = self.client.send_sms_notification(
                phone_number=to,
                template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                personalisation={"body": text},
            )
        except APIError as exc:
            # 429 (rate limit) and 5xx are worth retrying; 400/403 (bad number, bad key) not.
            transient = exc.status_code == 429 or exc.status_code >= 500
            raise ProviderError(f"GOV.UK Notify: {exc}", transient=transient) from exc
        return Sent(str(response["id"]), "sending")

    def status(self, provider_id: str) -> str | None:
        from notifications_python_client.errors import APIError

        try:
            return str(self.client.get_notification_by_id(provider_id)["status"])
        except APIError as exc:
            raise ProviderError(f"GOV.UK Notify: {exc}", transient=True) from exc


_BACKENDS: dict[str, type] = {
    "console": ConsoleSms,
    "file": FileSms,
    "locmem": LocmemSms,
    "notify": NotifySms,
}
_instances: dict[str, SmsBackend] = {}


def sms_backend() -> SmsBackend | None:
    """The configured SMS backend (one instance per name, so locmem keeps its outbox),
    or None when SMS_BACKEND is empty: then texts are not sent at all."""
    name = settings.SMS_BACKEND
    if not name:
        return None
    if name not in _BACKENDS:
        raise ImproperlyConfigured(
            f"SMS_BACKEND={name!r}: use one of {', '.join(sorted(_BACKENDS))}, or leave it empty."
        )
    if name not in _instances:
        _instances[name] = _BACKENDS[name]()
    return _instances[name]


def send_sms(*, to: str, text: str) -> Sent:
    backend = sms_backend()
    if backend is None:
        raise ProviderError("text messages are not set up (SMS_BACKEND is empty)", transient=False)
    if not is_mobile(to):
        raise ProviderError(f"{to} is not a mobile number", transient=False)
    return backend.send(to=to, text=text)


def send_email(
    *, to: str, subject: str, text: str, attachments: tuple[Attachment, ...] = ()
) -> Sent:
    message = EmailMessage(subject=subject, body=text, to=[to])
    for attachment in attachments:
        message.attach(attachment.name, attachment.content, attachment.mimetype)
    try:
        message.send(fail_silently=False)
    except OSError as exc:  # SMTP down, connection refused, timeouts
        raise ProviderError(f"email: {exc}", transient=True) from exc
    except Exception as exc:
        # anymail raises AnymailAPIError (and others) for a provider's refusal; without
        # importing anymail here, treat anything else as permanent for this message.
        transient = getattr(getattr(exc, "response", None), "status_code", 500) >= 500
        raise ProviderError(f"email: {exc}", transient=transient) from exc
    status = getattr(message, "anymail_status", None)
    if status is not None and status.message_id:
        return Sent(str(status.message_id), str(status.status or "sent"))
    return Sent("", "sent")


def delivery_status(provider_id: str) -> str | None:
    """The provider's current word on an SMS it accepted (None: it gives no receipts)."""
    backend = sms_backend()
    return None if backend is None else backend.status(provider_id)


# -- One-time codes for the parents' sign-in --------------------------------------------------


def send_code(*, channel: str, to: str, code: str, school_name: str) -> None:
    """Send a parent's sign-in code by email or SMS. The code is the only six-digit number
    in the text (docs/interfaces.md, "Parents' sign-in"); raises ProviderError."""
    minutes = settings.PARENT_CODE_MINUTES
    text = (
        f"Your code to sign in to {school_name}'s attendance portal is {code}. It works for "
        f"{minutes} minutes. If you did not ask for it, ignore this message."
    )
    if channel == "sms":
        send_sms(to=to, text=text)
    elif channel == "email":
        send_email(to=to, subject=f"Your sign-in code for {school_name}", text=text)
    else:
        raise ValueError(f"unknown channel {channel!r}")
