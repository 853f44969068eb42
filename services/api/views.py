"""Services API. Viewsets hold no business rules: intake and every transition call services.services.

Who writes: the catalogue — staff, within their organization's subtree; tickets — staff, grid workers and
integrators file them, and any writing role moves a ticket it can reach through the transition table (an
illegal move is a 409). Officials read. Rows outside scope are 404.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import Role
from core.api.parsers import JSONObjectParser
from core.api.viewsets import ScopedModelViewSet
from services.api import serializers as s
from services.filtersets import PublishedListEntryFilterSet, ServiceItemFilterSet, TicketFilterSet
from services.models import PublishedListEntry, ServiceItem, Ticket, TicketEvent, TicketPhoto
from services.services import ticket_create, ticket_transition
from services.transitions import TICKET_ACTIONS

INTAKE_ROLES = frozenset({Role.STAFF, Role.GRID_WORKER, Role.INTEGRATOR})
HANDLER_ROLES = INTAKE_ROLES | {Role.UNIT_LIAISON}


class ServiceItemViewSet(ScopedModelViewSet):
    queryset = ServiceItem.objects.select_related("organization")
    serializer_class = s.ServiceItemSerializer
    filterset_class = ServiceItemFilterSet
    search_fields = ["code", "name", "requirements"]
    ordering_fields = ["code", "name", "category"]
    # Everyone reads the whole catalogue (PublicReadQuerySet); an item is changed only inside the user's own
    # subtree, else 404: the base viewset's "change" for writing methods.
    write_roles = frozenset({Role.STAFF})


class PublishedListEntryViewSet(ScopedModelViewSet):
    """微权力清单 and 言行负面清单: public information (see PublicReadQuerySet); edited in the admin."""

    http_method_names = ["get", "head", "options"]
    queryset = PublishedListEntry.objects.select_related("organization")
    serializer_class = s.PublishedListEntrySerializer
    filterset_class = PublishedListEntryFilterSet
    search_fields = ["title", "body"]


def _ticket_actions(cls):
    """One POST action per row of the transition table, each calling ticket_transition."""
    for name in TICKET_ACTIONS:

        def run(self, request, pk=None, _action=name):
            return self._transition(_action)

        run.__name__ = f"action_{name}"
        run.__doc__ = f"Transition `{name}` (see services.transitions); an illegal move answers 409."
        decorated = action(detail=True, methods=["post"], url_path=name, url_name=name)(
            extend_schema(request=s.TicketActionSerializer, responses=s.TicketSerializer)(run)
        )
        setattr(cls, f"action_{name}", decorated)
    return cls


@_ticket_actions
class TicketViewSet(ScopedModelViewSet):
    """Tickets are never edited or deleted through the API: they change only by transitions (the timeline)."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Ticket.objects.with_related().prefetch_related(
        Prefetch("photos", queryset=TicketPhoto.objects.order_by("uploaded_at", "id"))
    )
    serializer_class = s.TicketSerializer
    filterset_class = TicketFilterSet
    parser_classes = [JSONObjectParser, MultiPartParser, FormParser]
    search_fields = ["reference", "description", "reporter_name", "address"]
    ordering_fields = ["created_at", "resolution_due_at", "level_due_at", "status"]

    @property
    def write_roles(self):
        return INTAKE_ROLES if self.action == "create" else HANDLER_ROLES

    def get_serializer_class(self):
        return s.TicketCreateSerializer if self.action == "create" else s.TicketSerializer

    @extend_schema(request=s.TicketCreateSerializer, responses={201: s.TicketSerializer})
    def create(self, request, *args, **kwargs):
        data = self._input(s.TicketCreateSerializer)
        ticket = ticket_create(by=request.user, photos=data.pop("photos", ()), **data)
        return self._answer(ticket, status.HTTP_201_CREATED)

    @extend_schema(responses=s.TicketEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole timeline, a bare list
    def events(self, request, pk=None):
        """The ticket's timeline, oldest first: who did what, when, with which note and photos."""
        ticket = self.get_object()
        events = (
            TicketEvent.objects.filter(ticket=ticket)
            .select_related("actor")
            .prefetch_related(Prefetch("photos", queryset=TicketPhoto.objects.order_by("uploaded_at", "id")))
            .order_by("created_at", "id")
        )
        return Response(s.TicketEventSerializer(events, many=True, context=self.get_serializer_context()).data)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _answer(self, ticket, code=status.HTTP_200_OK):
        fresh = self.queryset.get(pk=ticket.pk)
        return Response(s.TicketSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _transition(self, name: str):
        ticket = self.get_object()
        data = self._input(s.TicketActionSerializer)
        params = {}
        if name == "dispatch":
            params = {key: data.get(key) for key in ("assignee_user", "assignee_unit")}
            params["assignee_department"] = data.get("assignee_department", "")
        elif name == "reject":
            params = {"referral": data.get("referral", "")}
        ticket = ticket_transition(
            ticket=ticket, action=name, by=self.request.user, note=data.get("note", ""),
            photos=data.get("photos", ()), **params,
        )  # fmt: skip
        return self._answer(ticket)
