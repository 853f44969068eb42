"""One login guard for every way in: /accounts/login/, /admin/login/ and the token endpoint /api/v1/auth/token/.

Every password check goes through `authenticate()`, so the guard sits in the authentication backend
(accounts.backends.GuardedModelBackend): a locked key refuses even the right password, a failure is counted and a
success clears its counter, whichever way in was used. The login forms and the token view ask `retry_after()` first
only to answer in their own way (a form error, or 429 with Retry-After); the backend refuses regardless.

Two counters per failure, both keyed on the normalised username (NFKC, stripped, casefolded, so "official ",
"Official" and "ｏｆｆｉｃｉａｌ" are one key) and on the client address from core.client_ip (so a fresh
X-Forwarded-For is not a fresh start):
- address + username, LOGIN_FAILURE_LIMIT failures: guessing one account's password;
- address alone, LOGIN_ADDRESS_FAILURE_LIMIT (higher, offices share one address): spraying many usernames.
Each counts in a fixed window of LOGIN_FAILURE_WINDOW_SECONDS from its first failure.

Why counters in the database, not the cache (and not django-axes): the cache is Redis, and a guard that answers 500
when Redis is down, or forgets every lockout when Redis restarts (it keeps nothing on disk), fails open exactly when
someone may be busy. A login already reads the user's row, so one indexed row more per failure costs nothing. The
existing guard, moved to the database, keeps the per-address spray limit that axes (one failure limit for every
lockout parameter) cannot express, and needs no middleware or second lockout vocabulary.
"""

import datetime
import hashlib
import math
import unicodedata

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import LoginFailureCounter
from core.client_ip import client_ip


def clean_username(raw) -> str:
    """The username as authentication looks it up: NFKC (as Django's login form does) and without outer spaces.

    "official " is the account "official", not a different identity that starts its own count. Usernames stay
    case-sensitive for authentication (Django's rule); the guard's key folds case (`normalise_username`).
    """
    return unicodedata.normalize("NFKC", str(raw or "")).strip()


def normalise_username(raw) -> str:
    return clean_username(raw).casefold()


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _keys(request, username) -> list[tuple[str, int]]:
    ip = client_ip(request) or "unknown"
    return [
        (_digest("user", ip, normalise_username(username)), settings.LOGIN_FAILURE_LIMIT),
        (_digest("address", ip), settings.LOGIN_ADDRESS_FAILURE_LIMIT),
    ]


def retry_after(request, username) -> int:
    """Seconds until this address may try this username again; 0 when it is not locked out."""
    now = timezone.now()
    limits = dict(_keys(request, username))
    locked = LoginFailureCounter.objects.filter(key__in=limits, expires_at__gt=now).values_list("key", "count",
                                                                                                "expires_at")
    waits = [math.ceil((expires - now).total_seconds()) for key, count, expires in locked if count >= limits[key]]
    return max(waits, default=0)


def _increment(key: str, now: datetime.datetime) -> None:
    window = datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    if LoginFailureCounter.objects.filter(key=key, expires_at__gt=now).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            LoginFailureCounter.objects.update_or_create(key=key, defaults={"count": 1, "expires_at": now + window})
    except IntegrityError:  # a concurrent first failure created it: count on that row
        LoginFailureCounter.objects.filter(key=key).update(count=F("count") + 1)


def record_failure(request, username) -> None:
    now = timezone.now()
    LoginFailureCounter.objects.filter(expires_at__lte=now).delete()  # expired windows: the index makes this cheap
    for key, _limit in _keys(request, username):
        _increment(key, now)


def clear_failures(request, username) -> None:
    """A right password clears this username's count from this address; the address's spray count stays."""
    LoginFailureCounter.objects.filter(key=_keys(request, username)[0][0]).delete()
