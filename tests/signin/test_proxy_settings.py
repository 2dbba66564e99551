"""X-Forwarded-Proto is believed only with TRUSTED_PROXY_COUNT set (production settings)."""

from __future__ import annotations

from tests.portal.test_deployment import PRODUCTION_ENV, _manage

SHOW = (
    "from django.conf import settings; from django.test import RequestFactory; "
    "r = RequestFactory().get('/', HTTP_X_FORWARDED_PROTO='https'); "
    "print(settings.SECURE_PROXY_SSL_HEADER, r.is_secure())"
)


def test_a_client_cannot_claim_https_without_a_trusted_proxy():
    result = _manage("shell", "--verbosity=0", "-c", SHOW, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "False"]


def test_behind_a_trusted_proxy_its_x_forwarded_proto_is_believed():
    env = {**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "1"}
    result = _manage("shell", "--verbosity=0", "-c", SHOW, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "True"
