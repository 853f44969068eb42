from django.db.models import Q
from django.utils import timezone
from mptt.querysets import TreeQuerySet

from core.scoping import ScopedQuerySet


# The ignore: mypy's Django plugin gives each QuerySet base its own as_manager() type, and the two disagree.
class GridQuerySet(ScopedQuerySet, TreeQuerySet):  # type: ignore[override]
    pass


class GridRoleQuerySet(ScopedQuerySet):
    def current(self):
        today = timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today), started_on__lte=today)


class BuildingQuerySet(ScopedQuerySet):
    pass


class HouseholdQuerySet(ScopedQuerySet):
    pass


class VisitQuerySet(ScopedQuerySet):
    pass
