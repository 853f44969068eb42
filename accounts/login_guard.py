"""Counting failed logins so repeated guessing is throttled, while a user who types right is never slowed."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(ip: str | None, username: str) -> str:
    digest = hashlib.sha256(f"{ip}|{username.lower()}".encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def is_locked_out(*, ip: str | None, username: str) -> bool:
    return cache.get(_key(ip, username), 0) >= settings.LOGIN_FAILURE_LIMIT


def record_failure(*, ip: str | None, username: str) -> None:
    key = _key(ip, username)
    if cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def clear_failures(*, ip: str | None, username: str) -> None:
    cache.delete(_key(ip, username))
