"""Background jobs of the notifications app: the emails that follow in-app notifications."""

from celery import shared_task

from notifications.services import email_notifications as _email_notifications


@shared_task
def email_notifications(dedup_keys: list[str], user_ids: list[int]) -> int:
    """Email the notifications of these keys not yet emailed to these users. Idempotent (emailed_at)."""
    return _email_notifications(dedup_keys=dedup_keys, user_ids=user_ids)
