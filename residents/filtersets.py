import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import StrictFiltersMixin
from core.filtersets import ScopedFilterSet
from grids.filtersets import grid_subtree_filter
from grids.models import Building
from residents.models import Resident


class ResidentFilterSet(StrictFiltersMixin, ScopedFilterSet):
    grid = grid_subtree_filter("household__building__grid")
    building = django_filters.ModelChoiceFilter(
        field_name="household__building", queryset=Building.objects.all(), label=_("楼栋")
    )
    tag = django_filters.CharFilter(method="filter_tag", label=_("关爱标签（代码或编号）"))
    search = django_filters.CharFilter(method="filter_search", label=_("姓名、拼音首字母、电话或身份证号"))

    class Meta:
        model = Resident
        fields = ["grid", "building", "household", "tag", "status", "political_status", "search"]

    def filter_tag(self, qs, name, value):
        """`tag=low_income` or `tag=3`: a slug is what integrators keep, an id is what the pages send."""
        values = [v.strip() for v in value.split(",") if v.strip()]
        ids = [int(v) for v in values if v.isdigit()]
        codes = [v for v in values if not v.isdigit()]
        tagged = Resident.tags.through.objects.filter(Q(caretag_id__in=ids) | Q(caretag__code__in=codes))
        return qs.filter(pk__in=tagged.values("resident_id"))

    def filter_search(self, qs, name, value):
        return qs.search(value, by=getattr(self.request, "user", None))
