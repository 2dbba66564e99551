"""Every write of two-step sign-in: enrolment, recovery codes and a head's reset."""

from __future__ import annotations

import logging
from base64 import b32encode

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

log = logging.getLogger("identity")

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODES = 10


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being set up: the same secret until it is confirmed,
    so that reloading the page does not invalidate what the phone has scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def confirm_enrolment(*, user, device: TOTPDevice) -> list[str]:
    """Make `device` the user's one authenticator (a code from it has just been checked)
    and give them a fresh set of recovery codes, returned to be shown once."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    log.info("two-step sign-in enrolled for user %s", user.pk)
    return new_recovery_codes(user=user)


@transaction.atomic
def new_recovery_codes(*, user) -> list[str]:
    """Replace the user's recovery codes; each works once (django-otp's static tokens)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def reset_second_step(*, user, by) -> int:
    """A head's reset of a lost authenticator: the user enrols again at next sign-in.
    Returns the number of devices removed."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    log.warning("two-step sign-in reset for user %s by user %s", user.pk, by.pk)
    return removed
