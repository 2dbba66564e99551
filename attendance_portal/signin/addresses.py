"""The client's address, as far as it can be trusted.

Behind the TLS proxy the README asks for, REMOTE_ADDR is the proxy's address for everyone.
Each proxy appends the address it received the request from to X-Forwarded-For, so with N
proxies of our own in front, the client is the N-th address from the right; everything to
the left of it was written by the client and proves nothing. With TRUSTED_PROXY_COUNT = 0
(the default) the header is ignored entirely.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request skipped an outer proxy, and every entry was
    # written by one of ours, so the leftmost is the client.
    candidate = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _valid(candidate) or remote


def throttle_key(address: str) -> str:
    """The key failures from an address are counted under: an IPv6 client controls its
    whole /64, so it counts as one address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
