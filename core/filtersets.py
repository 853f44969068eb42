from typing import Any

import django_filters
from django.http import HttpRequest


class ScopedFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """Choice filters offer only rows the user may see, so filtering by a foreign id reveals nothing about it."""

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for filter_ in self.filters.values():
            # django-filter builds a choice field from `filter_.queryset` (it overwrites extra["queryset"] with it).
            queryset = getattr(filter_, "queryset", None)
            if user is not None and queryset is not None and hasattr(queryset, "visible_to"):
                filter_.queryset = queryset.visible_to(user)
