"""The client address behind N trusted proxies, and the key it is counted under."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from attendance_portal.signin.addresses import client_address, throttle_key


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.1"),  # not trusted: the header is ignored
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),  # the client wrote the left one
        (2, "6.6.6.6, 192.0.2.1, 10.9.9.9", "192.0.2.1"),  # CDN, then our proxy
        (2, "192.0.2.1", "192.0.2.1"),  # came in past the outer proxy
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_the_client_address_is_the_one_our_nearest_proxies_saw(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("", ""),
    ],
)
def test_addresses_are_counted_by_their_key(address, key):
    assert throttle_key(address) == key
