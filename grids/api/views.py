from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from accounts.models import Role
from core.api.viewsets import ScopedModelViewSet
from grids.api.serializers import (
    BuildingSerializer,
    GridRoleSerializer,
    GridSerializer,
    HouseholdSerializer,
    VisitSerializer,
)
from grids.filtersets import (
    BuildingFilterSet,
    GridFilterSet,
    GridRoleFilterSet,
    HouseholdFilterSet,
    VisitFilterSet,
)
from grids.models import Building, Grid, GridRole, Household, Visit

# Drawing grids and handing out grid duties (which decide a grid worker's scope) is the community staff's job.
GRID_PLANNERS = frozenset({Role.STAFF, Role.INTEGRATOR})


class GridViewSet(ScopedModelViewSet):
    write_roles = GRID_PLANNERS
    queryset = Grid.objects.select_related("community")
    serializer_class = GridSerializer
    filterset_class = GridFilterSet
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name", "grid_level"]
    ordering = ["tree_id", "lft"]

    @extend_schema(responses=GridSerializer(many=True))  # a page of grids, like the list
    @action(detail=True)
    def children(self, request, pk=None):
        page = self.paginate_queryset(self.get_queryset().filter(parent=self.get_object()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class GridRoleViewSet(ScopedModelViewSet):
    write_roles = GRID_PLANNERS
    queryset = GridRole.objects.select_related("grid")
    serializer_class = GridRoleSerializer
    filterset_class = GridRoleFilterSet
    search_fields = ["name"]
    ordering_fields = ["started_on", "duty", "name"]


class BuildingViewSet(ScopedModelViewSet):
    queryset = Building.objects.select_related("grid")
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilterSet
    search_fields = ["name", "address"]
    ordering_fields = ["name"]


class HouseholdViewSet(ScopedModelViewSet):
    queryset = Household.objects.select_related("building", "head")
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilterSet
    search_fields = ["room", "building__name"]
    ordering_fields = ["unit", "room", "created_at"]


class VisitViewSet(ScopedModelViewSet):
    queryset = Visit.objects.select_related("household__building", "visitor")
    serializer_class = VisitSerializer
    filterset_class = VisitFilterSet
    ordering_fields = ["visited_on", "created_at"]
