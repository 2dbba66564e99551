"""The providers: one-time codes by email and SMS through the configured backends, the file
backend for demos, and GOV.UK Notify's errors sorted into retry or give up."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from registers.families import providers
from registers.families.providers import ProviderError
from registers.families.services.codes import send_one_time_code
from tests.registers.factories import ContactFactory


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "locmem"
    backend = providers.sms_backend()
    backend.outbox.clear()
    return backend


def only_six_digit_number(text: str) -> str:
    (found,) = re.findall(r"(?<!\d)\d{6}(?!\d)", text)
    return found


def test_a_code_by_email_is_the_only_six_digit_number_in_the_message(pupil):
    contact = ContactFactory(pupil=pupil, email="mary@example.com")
    send_one_time_code(contact=contact, channel="email", code="428913")
    (message,) = mail.outbox
    assert message.to == ["mary@example.com"]
    assert only_six_digit_number(message.subject + message.body) == "428913"
    assert pupil.school.name in message.body


def test_a_code_by_sms_goes_to_the_mobile_in_e164(pupil, sms):
    contact = ContactFactory(pupil=pupil, phone="+447700900123")
    send_one_time_code(contact=contact, channel="sms", code="000417")
    ((to, text),) = sms.outbox
    assert to == "+447700900123" and only_six_digit_number(text) == "000417"


def test_a_landline_is_never_texted(pupil, sms):
    contact = ContactFactory(pupil=pupil, phone="+442079460000")
    with pytest.raises(ProviderError, match="not a mobile") as refused:
        send_one_time_code(contact=contact, channel="sms", code="123456")
    assert not refused.value.transient and not sms.outbox


def test_the_file_backend_writes_one_file_per_text(settings, tmp_path):
    settings.SMS_BACKEND, settings.SMS_FILE_PATH = "file", str(tmp_path / "sms")
    sent = providers.send_sms(to="+447700900001", text="Hello")
    (written,) = (tmp_path / "sms").iterdir()
    assert written.read_text() == "To: +447700900001\n\nHello\n" and sent.delivered


@pytest.mark.parametrize(("status", "transient"), [(500, True), (429, True), (400, False)])
def test_notify_errors_are_retried_only_when_they_may_pass(settings, status, transient):
    from notifications_python_client.errors import HTTPError

    settings.NOTIFY_API_KEY = "test_key-" + "0" * 36 + "-" + "0" * 36
    settings.NOTIFY_SMS_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    backend = providers.NotifySms()

    class Response:
        status_code = status

        def json(self):
            return {"errors": [{"message": "nope"}]}

    def refuse(**kwargs):
        raise HTTPError(Response())

    backend.client.send_sms_notification = refuse
    with pytest.raises(ProviderError) as failed:
        backend.send(to="+447700900123", text="Hello")
    assert failed.value.transient is transient
