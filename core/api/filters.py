"""The API's ?search=: DRF's SearchFilter without personal-information fields for users who may not see them."""

from rest_framework.filters import SearchFilter

from core.pii import searchable_fields


class PIISearchFilter(SearchFilter):
    """Installed as the default search backend, so a viewset that lists `phone` in search_fields cannot leak."""

    def get_search_fields(self, view, request):
        fields = super().get_search_fields(view, request)
        return searchable_fields(fields or (), request.user) or None

    def filter_queryset(self, request, queryset, view):
        # No term, no permission lookup. All search fields withheld: the search matches nothing, rather than being
        # ignored and listing everything.
        if not self.get_search_terms(request):
            return queryset
        declared = super().get_search_fields(view, request)
        if declared and not self.get_search_fields(view, request):
            return queryset.none()
        return super().filter_queryset(request, queryset, view)
