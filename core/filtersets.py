import django_filters


class ScopedFilterSet(django_filters.FilterSet):
    """Choice filters offer only rows the user may see, so filtering by a foreign id reveals nothing about it."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for filter_ in self.filters.values():
            # django-filter builds a choice field from `filter_.queryset` (it overwrites extra["queryset"] with it).
            queryset = getattr(filter_, "queryset", None)
            if user is not None and queryset is not None and hasattr(queryset, "visible_to"):
                filter_.queryset = queryset.visible_to(user)
