"""The wording editor (placeholders only, a preview, used by the next message) and Notify's
delivery receipts (a bearer token, or nothing)."""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils import timezone

from registers.families.models import Message
from registers.families.services.messages import wording_for
from tests.registers.factories import ContactFactory


def test_the_office_previews_then_saves_its_own_wording(login, officer, school):
    client = login(officer)
    url = reverse("families:wording", args=[school.urn, "first_day"])
    text = "{{ pupil_forename }} is not with us today. Ring {{ school_phone }}."
    page = client.post(url, {"action": "preview", "subject": "Absent", "body": text})
    assert "Amira is not with us today." in page.content.decode()
    assert wording_for(school, "first_day")[1] != text  # a preview saves nothing

    client.post(url, {"action": "save", "subject": "Absent", "body": text})
    assert wording_for(school, "first_day") == ("Absent", text)


def test_template_code_and_unknown_placeholders_are_refused(login, officer, school):
    url = reverse("families:wording", args=[school.urn, "first_day"])
    page = login(officer).post(
        url, {"action": "save", "subject": "x", "body": "{{ secret }} {% load x %}"}
    )
    body = page.content.decode()
    assert "is not a placeholder this message can use" in body
    assert "Only {{ placeholders }} are allowed" in body
    assert wording_for(school, "first_day")[0] != "x"


def _sent(pupil) -> Message:
    contact = ContactFactory(pupil=pupil)
    return Message.objects.create(
        school=pupil.school,
        pupil=pupil,
        contact=contact,
        to_name=contact.name,
        to_address=contact.phone,
        kind="first_day",
        channel="sms",
        date=timezone.localdate(),
        idempotency_key="k",
        text="t",
        status="sent",
        provider_id="notify-1",
        not_before=timezone.now(),
        sent_at=timezone.now(),
    )


def test_notify_receipts_need_the_token_and_record_the_status(client, settings, pupil):
    message = _sent(pupil)
    url = reverse("notify_receipt")
    body = json.dumps({"id": "notify-1", "status": "delivered"})
    assert client.post(url, body, content_type="application/json").status_code == 404
    settings.NOTIFY_CALLBACK_TOKEN = "s3cret-token"
    wrong = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer x")
    assert wrong.status_code == 403
    message.refresh_from_db()
    assert message.status == "sent"
    right = client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer s3cret-token"
    )
    assert right.json() == {"recorded": True}
    message.refresh_from_db()
    assert (message.status, message.provider_status) == ("delivered", "delivered")
