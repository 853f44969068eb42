"""Co-building background jobs. Each takes no model instances, calls services, and is safe to run twice."""

import logging

from celery import shared_task

from cobuilding import reminders, services

logger = logging.getLogger(__name__)


@shared_task
def daily_cobuilding_reminders() -> dict:
    """Expire agreements whose period has ended, then send the day's reminders (deduplicated by notify)."""
    expired = services.expire_agreements()
    sent = reminders.send_daily_reminders()
    logger.info("co-building daily job: %d agreements expired, reminders %s", expired, sent)
    return {"expired": expired, **sent}


@shared_task
def sweep_whistle_calls() -> dict:
    """Mark calls past a deadline as overdue (telling the community once) and warn units of deadlines near."""
    overdue = services.mark_overdue_calls()
    reminded = reminders.remind_whistle_deadlines()
    return {"overdue": overdue, "reminded": reminded}
