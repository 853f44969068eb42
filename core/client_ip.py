"""The client's address, the one value the login guard, the rate limits and the personal-information log share.

X-Forwarded-For is a list the client starts and every proxy appends to, so only its right-hand end is written by
machines we run. With TRUSTED_PROXY_COUNT = n (our proxies in front of the app), the address the outermost trusted
proxy saw is the n-th entry from the right; anything left of it is whatever the client chose to send. With n = 0
(the default) the header is ignored and REMOTE_ADDR is the client. A header shorter than n, or an entry that is not
an address, means the request did not come through our proxies as configured: REMOTE_ADDR is used then.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    return _valid(forwarded[-hops]) or remote
