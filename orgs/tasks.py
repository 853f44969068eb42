import logging

from celery import shared_task
from django.db.models import F

from orgs.models import Organization

logger = logging.getLogger(__name__)


@shared_task
def check_tree_integrity() -> int:
    """Count nodes whose tree numbers disagree with their parent's; a non-zero count is logged as an error.

    Read-only and so idempotent; `manage.py shell -c "Organization.objects.rebuild()"` mends what it finds.
    """
    broken = Organization.objects.filter(parent__isnull=False).exclude(
        tree_id=F("parent__tree_id"), lft__gt=F("parent__lft"), rght__lt=F("parent__rght")
    )
    count = broken.count()
    if count:
        logger.error("Organization tree has %d misplaced nodes; run Organization.objects.rebuild().", count)
    return count
