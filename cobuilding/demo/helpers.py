"""What the co-building demo steps share: the plan passed from step to step, and date helpers."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import User
from cobuilding.models import ResidentUnit
from orgs.models import Organization

DAY = datetime.timedelta(days=1)


@dataclass
class DemoPlan:
    """What the builder made, passed between its steps (nothing here is read back from the database)."""

    today: datetime.date
    admin: User
    communities: list[Organization]
    units: list[ResidentUnit] = field(default_factory=list)
    reports_by_community: dict[int, list[ResidentUnit]] = field(default_factory=lambda: defaultdict(list))
    liaison_unit: ResidentUnit | None = None


def aware_datetime(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
