"""Two-step sign-in: who is forced, enrolment, codes, recovery codes, throttling, reset."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from attendance_portal.identity import services
from registers.models import School
from tests.identity.helpers import code_for, device_code, sign_in
from tests.registers.factories import SchoolFactory, make_member

NOW = dt.datetime(2025, 10, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def mfa_school(school):
    school.require_mfa = True
    school.save(update_fields=["require_mfa"])
    return school


def enrol(user):
    """An authenticator confirmed and recovery codes made, as the enrolment page does."""
    device = services.pending_device(user)
    return device, services.confirm_enrolment(user=user, device=device)


def enrolment_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("identity:enrol"))


def verify_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("identity:verify"))


# -- who must use it ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "teacher", "head"])
def test_staff_of_a_school_that_requires_it_must_enrol_before_any_page(
    request, client, mfa_school, persona
):
    member = request.getfixturevalue(persona)
    sign_in(client, member.user.username)
    for url in (
        reverse("home"),
        reverse("registers:day", args=[mfa_school.urn]),
        reverse("registers:pupils", args=[mfa_school.urn]),
    ):
        response = client.get(url)
        assert enrolment_redirect(response), (url, response.status_code)
        assert f"next={url.replace('/', '%2F')}" in response.url
    # The pages of the second step and signing out stay open.
    assert client.get(reverse("identity:enrol")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_a_trust_lead_is_forced_when_a_school_of_the_trust_requires_it(
    client, mfa_school, trust_lead
):
    sign_in(client, "trustlead")
    assert enrolment_redirect(client.get(reverse("reporting:trust", args=[mfa_school.urn])))


def test_governors_are_not_forced(client, mfa_school, governor):
    sign_in(client, "governor")
    response = client.get(reverse("reporting:governors", args=[mfa_school.urn]))
    assert response.status_code == 200


def test_without_the_policy_nobody_is_asked(client, school, officer):
    sign_in(client, "officer")
    assert client.get(reverse("registers:day", args=[school.urn])).status_code == 200


def test_a_member_of_any_school_that_requires_it_is_forced(client, school, officer):
    other = SchoolFactory(urn="222222", require_mfa=True)
    make_member("governor", school=other, username="gov2")  # a governor there: not forced
    officer.user.memberships.create(role="teacher", school=other)
    sign_in(client, "officer")
    assert enrolment_redirect(client.get(reverse("registers:day", args=[school.urn])))


def test_htmx_requests_are_told_to_navigate_to_the_second_step(client, mfa_school, officer):
    sign_in(client, "officer")
    response = client.get(reverse("registers:day", args=[mfa_school.urn]), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("identity:enrol"))


# -- enrolment --------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_then_recovery_codes_once(
    client, mfa_school, officer, frozen
):
    sign_in(client, "officer")
    target = reverse("registers:day", args=[mfa_school.urn])
    page = client.get(reverse("identity:enrol"), {"next": target})
    html = page.content.decode()
    assert "<svg" in html and "<img" not in html  # the QR code inline
    device = TOTPDevice.objects.get(user=officer.user, confirmed=False)
    assert services.secret_text(device) in html
    # Reloading keeps the same secret (the phone has scanned it).
    assert services.secret_text(device) in client.get(reverse("identity:enrol")).content.decode()

    wrong = client.post(reverse("identity:enrol"), {"code": "000000", "next": target})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=officer.user, confirmed=True).exists()

    frozen.shift(2)  # django-otp's throttle: 1 s after one wrong code
    done = client.post(
        reverse("identity:enrol"), {"code": code_for(device.bin_key), "next": target}
    )
    assert done.status_code == 302 and done.url.startswith(reverse("identity:account"))
    device.refresh_from_db()
    assert device.confirmed
    shown_page = client.get(done.url)
    assert "no-store" in shown_page["Cache-Control"]
    shown = shown_page.content.decode()
    codes = re.findall(r"<li class=\"col\">([a-z2-7]{8})</li>", shown)
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=officer.user).values_list("token", flat=True)
    )
    assert "shown only this once" in shown
    assert "no-store" in client.get(reverse("identity:enrol"))["Cache-Control"]
    again = client.get(reverse("identity:account")).content.decode()
    assert not any(code in again for code in codes)
    # Verified in this session: the register opens.
    assert client.get(target).status_code == 200


def test_a_stolen_password_cannot_enrol_a_new_phone(client, mfa_school, officer, frozen):
    device, _ = enrol(officer.user)
    sign_in(client, "officer")
    response = client.get(reverse("identity:enrol"))
    assert verify_redirect(response)
    client.post(reverse("identity:enrol"), {"code": "123456"})
    assert list(TOTPDevice.objects.filter(user=officer.user)) == [device]


# -- signing in with a code ---------------------------------------------------------------------


def test_an_enrolled_user_enters_a_code_at_every_sign_in(client, mfa_school, officer, frozen):
    enrol(officer.user)
    target = reverse("registers:day", args=[mfa_school.urn])
    sign_in(client, "officer")
    response = client.get(target)
    assert verify_redirect(response)
    wrong = client.post(response.url, {"code": "000000"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert verify_redirect(client.get(target))
    frozen.shift(2)
    ok = client.post(
        reverse("identity:verify"), {"code": device_code(officer.user), "next": target}
    )
    assert ok.status_code == 302 and ok.url == target
    assert client.get(target).status_code == 200


def test_a_code_is_not_accepted_twice(client, mfa_school, officer, frozen):
    enrol(officer.user)
    code = device_code(officer.user)
    sign_in(client, "officer")
    assert client.post(reverse("identity:verify"), {"code": code}).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, "officer")
    again = client.post(reverse("identity:verify"), {"code": code})
    assert again.status_code == 200


def test_wrong_codes_are_throttled(client, mfa_school, officer, frozen):
    enrol(officer.user)
    sign_in(client, "officer")
    for _ in range(3):
        client.post(reverse("identity:verify"), {"code": "000000"})
        frozen.shift(0.5)
    # Three failures: the right code is refused until 4 s after the last one.
    refused = client.post(reverse("identity:verify"), {"code": device_code(officer.user)})
    assert refused.status_code == 429
    assert "Too many wrong codes" in refused.content.decode()
    frozen.shift(5)
    accepted = client.post(reverse("identity:verify"), {"code": device_code(officer.user)})
    assert accepted.status_code == 302


def test_the_wait_after_many_wrong_codes_is_capped_at_the_setting(
    client, mfa_school, officer, frozen, settings
):
    """django-otp alone would make the 40th wrong code wait 2^39 s (17,000 years)."""
    assert settings.OTP_THROTTLE_MAX_SECONDS == 3600
    device, _ = enrol(officer.user)
    device.throttling_failure_count, device.throttling_failure_timestamp = 40, NOW
    device.save()
    sign_in(client, "officer")
    frozen.shift(3599)
    refused = client.post(reverse("identity:verify"), {"code": device_code(officer.user)})
    assert refused.status_code == 429
    assert "Wait 1 second" in refused.content.decode()
    frozen.shift(1)
    accepted = client.post(reverse("identity:verify"), {"code": device_code(officer.user)})
    assert accepted.status_code == 302


def test_a_recovery_code_works_once(client, mfa_school, officer, frozen):
    _, codes = enrol(officer.user)
    sign_in(client, "officer")
    used = client.post(reverse("identity:verify"), {"code": codes[0].upper()}, follow=True)
    assert used.status_code == 200
    assert "9 left" in used.content.decode()
    client.post(reverse("logout"))
    sign_in(client, "officer")
    again = client.post(reverse("identity:verify"), {"code": codes[0]})
    assert again.status_code == 200
    assert "That code is not right" in again.content.decode()
    frozen.shift(2)
    assert client.post(reverse("identity:verify"), {"code": codes[1]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones_and_need_a_verified_session(
    client, mfa_school, officer, frozen
):
    _, old = enrol(officer.user)
    sign_in(client, "officer")
    refused = client.post(reverse("identity:recovery_codes"))
    assert verify_redirect(refused)
    assert StaticToken.objects.filter(token=old[0]).exists()
    client.post(reverse("identity:verify"), {"code": device_code(officer.user)})
    response = client.post(reverse("identity:recovery_codes"), follow=True)
    new = re.findall(r"<li class=\"col\">([a-z2-7]{8})</li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert not StaticToken.objects.filter(token__in=old).exists()


def test_who_enrolled_of_their_own_accord_is_asked_too(client, school, governor, frozen):
    enrol(governor.user)
    sign_in(client, "governor")
    assert verify_redirect(client.get(reverse("reporting:governors", args=[school.urn])))


def test_a_reset_user_whose_school_does_not_require_it_is_let_through(
    client, school, governor, frozen
):
    enrol(governor.user)
    sign_in(client, "governor")
    services.reset_second_step(user=governor.user, by=governor.user)
    page = reverse("reporting:governors", args=[school.urn])
    assert client.get(page).status_code == 200
    assert client.get(reverse("identity:verify"), {"next": page}).url == page


def test_bad_input_on_the_code_forms_is_a_form_error(client, mfa_school, officer, frozen):
    enrol(officer.user)
    sign_in(client, "officer")
    for code in ("", "abc", "1" * 40, "<script>"):
        response = client.post(reverse("identity:verify"), {"code": code})
        assert response.status_code == 200, code
        assert "is-invalid" in response.content.decode()
    # A NUL never reaches a form: the portal answers 400 to it everywhere.
    assert client.post(reverse("identity:verify"), {"code": "12345\x00"}).status_code == 400


def test_an_unsafe_next_is_ignored(client, mfa_school, officer, frozen):
    enrol(officer.user)
    sign_in(client, "officer")
    response = client.post(
        reverse("identity:verify"),
        {"code": device_code(officer.user), "next": "https://evil.example/"},
    )
    assert response.url == reverse("home")


def test_the_admin_is_behind_the_second_step_too(client, mfa_school, officer):
    officer.user.is_staff = officer.user.is_superuser = True
    officer.user.save()
    sign_in(client, "officer")
    assert enrolment_redirect(client.get("/admin/"))


# -- the head's reset ---------------------------------------------------------------------------


def test_a_head_resets_a_lost_device_and_the_user_enrols_again(
    client, mfa_school, officer, head, frozen
):
    enrol(officer.user)
    enrol(head.user)
    sign_in(client, "head")
    client.post(reverse("identity:verify"), {"code": device_code(head.user)})
    page = client.get(reverse("identity:staff", args=[mfa_school.urn])).content.decode()
    assert "officer" in page and "Reset lost device" in page
    url = reverse("identity:staff_reset", args=[mfa_school.urn, officer.user_id])
    assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=officer.user).exists()
    assert not StaticToken.objects.filter(device__user=officer.user).exists()
    client.post(reverse("logout"))
    sign_in(client, "officer")
    assert enrolment_redirect(client.get(reverse("home")))


def test_only_a_head_of_the_users_school_may_reset(client, school, officer, teacher, outsider):
    enrol(outsider.user)
    enrol(teacher.user)
    head_here = make_member("head", school=school, username="headhere")
    client.force_login(head_here.user)
    # A user of another school: no such member here.
    other = reverse("identity:staff_reset", args=[school.urn, outsider.user_id])
    assert client.post(other).status_code == 404
    assert TOTPDevice.objects.filter(user=outsider.user).exists()
    client.force_login(officer.user)
    mine = reverse("identity:staff_reset", args=[school.urn, teacher.user_id])
    assert client.post(mine).status_code == 403
    assert TOTPDevice.objects.filter(user=teacher.user).exists()


# -- the school's policy from the command line --------------------------------------------------


def setup(*extra: str) -> str:
    out = StringIO()
    args = ["--urn", "100300", "--name", "Birch", "--phase", "primary", *extra]
    call_command("setup_school", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_setup_school_sets_the_policy_and_leaves_it_when_the_flag_is_omitted():
    setup()
    assert School.objects.get(urn="100300").require_mfa is False
    assert "updated" in setup("--require-mfa", "Y")
    assert School.objects.get(urn="100300").require_mfa is True
    assert "unchanged" in setup("--require-mfa", "Y")
    assert "unchanged" in setup()
    assert School.objects.get(urn="100300").require_mfa is True
    setup("--require-mfa", "N")
    assert School.objects.get(urn="100300").require_mfa is False
    setup("--require-mfa", "Y")
    with pytest.raises(CommandError):
        setup("--require-mfa", "yes")
    assert School.objects.get(urn="100300").require_mfa is True


@pytest.mark.django_db
def test_setup_school_creates_a_school_with_the_policy_on():
    setup("--require-mfa", "Y")
    assert School.objects.get(urn="100300").require_mfa is True
