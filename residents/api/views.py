from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedModelViewSet
from core.client_ip import client_ip
from core.pii import reveal_pii
from residents.api.serializers import ResidentMoveSerializer, ResidentPIISerializer, ResidentSerializer
from residents.filtersets import ResidentFilterSet
from residents.models import Resident
from residents.services import resident_create, resident_move


class ResidentViewSet(ScopedModelViewSet):
    queryset = Resident.objects.with_related()
    serializer_class = ResidentSerializer
    filterset_class = ResidentFilterSet
    ordering_fields = ["name", "birth_date", "created_at"]

    def perform_create(self, serializer):
        # The service writes the first residence record beside the resident and checks the scope.
        data = dict(serializer.validated_data)
        serializer.instance = resident_create(by=self.request.user, tags=data.pop("tags", ()), **data)

    @extend_schema(request=ResidentMoveSerializer, responses=ResidentSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        resident = self.get_object()
        move = ResidentMoveSerializer(data=request.data, context=self.get_serializer_context())
        move.is_valid(raise_exception=True)
        resident_move(
            resident=resident, to=move.validated_data["household"], on=move.validated_data.get("moved_on"),
            by=request.user,
        )  # fmt: skip
        return Response(self.get_serializer(self.get_queryset().get(pk=resident.pk)).data)

    @extend_schema(request=None, responses=ResidentPIISerializer)
    @action(detail=True, url_path="pii")
    def pii(self, request, pk=None):
        """Full ID number and phone, for users with the permission; every call is logged."""
        resident = self.get_object()
        community = resident.household.building.grid.community
        values = reveal_pii(instance=resident, organization=community, by=request.user, ip_address=client_ip(request))
        return Response(ResidentPIISerializer(values).data)
