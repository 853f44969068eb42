from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedModelViewSet
from core.client_ip import client_ip
from core.pii import reveal_pii
from orgs.api.serializers import (
    OrganizationSerializer,
    OrganizationTreeNodeSerializer,
    OrgPositionSerializer,
    PartyMemberPIISerializer,
    PartyMemberSerializer,
)
from orgs.filtersets import OrganizationFilterSet, OrgPositionFilterSet, PartyMemberFilterSet
from orgs.models import Organization, OrgPosition, PartyMember
from orgs.selectors import organization_subtree
from orgs.services import organization_delete


class OrganizationViewSet(ScopedModelViewSet):
    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    search_fields = ["name", "code", "address"]
    ordering_fields = ["code", "name", "founded_on", "lft"]
    ordering = ["tree_id", "lft"]

    def perform_destroy(self, instance):
        organization_delete(organization=instance, by=self.request.user)

    def _related_page(self, queryset):
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=OrganizationSerializer(many=True))  # each related list is a page, like the list
    @action(detail=True)
    def children(self, request, pk=None):
        return self._related_page(self.get_queryset().filter(parent=self.get_object()))

    @extend_schema(responses=OrganizationSerializer(many=True))
    @action(detail=True)
    def descendants(self, request, pk=None):
        node = self.get_object()
        return self._related_page(self.get_queryset().filter(tree_id=node.tree_id, lft__gt=node.lft, lft__lt=node.rght))

    @extend_schema(responses=OrganizationSerializer(many=True))
    @action(detail=True)
    def ancestors(self, request, pk=None):
        # Only the ancestors inside the user's scope: the scope root is as high as they can see.
        node = self.get_object()
        ancestors = self.get_queryset().filter(tree_id=node.tree_id, lft__lt=node.lft, rght__gt=node.rght)
        return self._related_page(ancestors)

    @extend_schema(
        parameters=[OpenApiParameter("root", OpenApiTypes.INT, description="subtree root; default: all in scope")],
        responses=OrganizationTreeNodeSerializer(many=True),
    )
    @action(detail=False, pagination_class=None, filter_backends=[])
    def tree(self, request):
        root_id = request.query_params.get("root")
        if root_id is not None:
            root_id = serializers.IntegerField(min_value=1).run_validation(root_id)
        roots = organization_subtree(root_id=root_id, fetched_by=request.user)
        if root_id is not None and (not roots or roots[0]["id"] != root_id):
            raise Http404
        return Response(roots)


class PartyMemberViewSet(ScopedModelViewSet):
    queryset = PartyMember.objects.with_related()
    serializer_class = PartyMemberSerializer
    filterset_class = PartyMemberFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "joined_on", "birth_date"]

    @extend_schema(request=None, responses=PartyMemberPIISerializer)
    @action(detail=True, url_path="pii")
    def pii(self, request, pk=None):
        """Full ID number and phone, for users with the permission; every call is logged."""
        member = self.get_object()
        values = reveal_pii(
            instance=member, organization=member.organization, by=request.user, ip_address=client_ip(request)
        )
        return Response(PartyMemberPIISerializer(values).data)


class OrgPositionViewSet(ScopedModelViewSet):
    queryset = OrgPosition.objects.with_related()
    serializer_class = OrgPositionSerializer
    filterset_class = OrgPositionFilterSet
    ordering_fields = ["started_on", "title"]
