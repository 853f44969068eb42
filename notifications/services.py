"""notify(): the one way to tell users something. Idempotent by (recipient, dedup_key)."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification

logger = logging.getLogger(__name__)


def notify(*, recipients: Iterable, kind: str, title: str, dedup_key: str, link: str = "", body: str = "") -> int:
    """Create one notification per recipient unless one with this dedup_key exists; email the new ones.

    Returns how many were created. Safe to call twice (and from two workers at once): the unique constraint and
    ignore_conflicts make the second call insert nothing.
    """
    return notify_each(recipients=recipients, kind=kind, messages=[(dedup_key, title, link, body)])


def notify_each(*, recipients: Iterable, kind: str, messages: Iterable[tuple]) -> int:
    """notify() for many messages to the same recipients at once: each message is (dedup_key, title, link[, body]).

    One lookup and one insert for the whole batch (a sweep that escalates a thousand tickets to one street sends
    its staff a thousand notifications in two queries); idempotent per (recipient, dedup_key).
    """
    users = list({u.pk: u for u in recipients if u is not None and u.is_active}.values())
    messages = {key: (title, link, rest[0] if rest else "") for key, title, link, *rest in messages}
    if not users or not messages:
        return 0
    existing = set(
        Notification.objects.filter(recipient__in=users, dedup_key__in=list(messages)).values_list(
            "recipient_id", "dedup_key"
        )
    )
    fresh = [
        Notification(recipient=user, kind=kind, title=title[:200], body=body, link=link, dedup_key=key)
        for key, (title, link, body) in messages.items()
        for user in users
        if (user.pk, key) not in existing
    ]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=5000)
    for key, (title, link, body) in messages.items():
        emails = [user.email for user in users if (user.pk, key) not in existing and user.email]
        if emails:
            transaction.on_commit(lambda e=emails, t=title, b=body, li=link, k=key: _send_email(e, t, b, li, k))
    return len(fresh)


def _send_email(emails: list[str], title: str, body: str, link: str, dedup_key: str) -> None:
    try:
        send_mail(title, f"{body}\n\n{link}".strip(), settings.DEFAULT_FROM_EMAIL, emails, fail_silently=False)
    except Exception:  # an unreachable mail server must not lose the in-app notification
        logger.exception("Could not email notification %s", dedup_key)
        return
    Notification.objects.filter(dedup_key=dedup_key, recipient__email__in=emails, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.for_user(user).unread()
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(is_read=True)
