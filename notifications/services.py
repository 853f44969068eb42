"""notify(): the one way to tell users something. Idempotent by (recipient, dedup_key)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from core import outbox
from notifications.models import Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

#: (dedup_key, title, link) or (dedup_key, title, link, body)
Message = tuple[str, str, str] | tuple[str, str, str, str]

logger = logging.getLogger(__name__)


def notify(
    *, recipients: Iterable[User | None], kind: str, title: str, dedup_key: str, link: str = "", body: str = ""
) -> int:
    """Create one notification per recipient unless one with this dedup_key exists; email the new ones.

    Returns how many were created. Safe to call twice (and from two workers at once): the unique constraint and
    ignore_conflicts make the second call insert nothing.
    """
    return notify_each(recipients=recipients, kind=kind, messages=[(dedup_key, title, link, body)])


def notify_each(*, recipients: Iterable[User | None], kind: str, messages: Iterable[Message]) -> int:
    """notify() for many messages to the same recipients at once: each message is (dedup_key, title, link[, body]).

    One lookup and one insert for the whole batch (a sweep that escalates a thousand tickets to one street sends
    its staff a thousand notifications in two queries); idempotent per (recipient, dedup_key).
    """
    users = list({u.pk: u for u in recipients if u is not None and u.is_active}.values())
    texts = {key: (title, link, rest[0] if rest else "") for key, title, link, *rest in messages}
    if not users or not texts:
        return 0
    existing = set(
        Notification.objects.filter(recipient__in=users, dedup_key__in=list(texts)).values_list(
            "recipient_id", "dedup_key"
        )
    )
    fresh = [
        Notification(recipient=user, kind=kind, title=title[:200], body=body, link=link, dedup_key=key)
        for key, (title, link, body) in texts.items()
        for user in users
        if (user.pk, key) not in existing
    ]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=5000)
    if fresh and any(user.email for user in users):
        # Through the outbox: the email is queued with the notifications, so an outage delays it and loses none.
        user_ids = [user.pk for user in users]
        outbox.enqueue("notifications.tasks.email_notifications", dedup_keys=list(texts), user_ids=user_ids)
    return len(fresh)


def email_notifications(*, dedup_keys: list[str], user_ids: list[int]) -> int:
    """Email each not-yet-emailed notification of these keys to these users, one message per key. Idempotent.

    A notification is marked emailed once sent, so a redelivered task emails nobody twice; it reads title, body
    and link from the rows themselves, so the task carries nothing but ids.
    """
    pending = Notification.objects.filter(
        dedup_key__in=dedup_keys, recipient_id__in=user_ids, emailed_at__isnull=True
    ).exclude(recipient__email="").select_related("recipient")
    by_key: dict[str, list[Notification]] = {}
    for note in pending:
        by_key.setdefault(note.dedup_key, []).append(note)
    return sum(_send_email(notes) for notes in by_key.values())


def _send_email(notes: list[Notification]) -> int:
    first = notes[0]
    emails = [note.recipient.email for note in notes]
    try:
        send_mail(first.title, f"{first.body}\n\n{first.link}".strip(), settings.DEFAULT_FROM_EMAIL, emails)
    except Exception:  # an unreachable mail server must not lose the in-app notification
        logger.exception("Could not email notification %s", first.dedup_key)
        return 0
    Notification.objects.filter(pk__in=[note.pk for note in notes]).update(emailed_at=timezone.now())
    return len(notes)


def mark_read(*, user: User | AnonymousUser, ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.for_user(user).unread()
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(is_read=True)
