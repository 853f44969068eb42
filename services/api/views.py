"""Services API. Viewsets hold no business rules: intake and every transition call services.tickets.services.

Who writes: the catalogue — staff, within their organization's subtree; tickets — staff, grid workers and
integrators file them, and any writing role moves a ticket it can reach through the transition table (an
illegal move is a 409). Officials read. Rows outside scope are 404.
"""

from typing import cast

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import Role, User
from core.api.parsers import JSONObjectParser
from core.api.viewsets import ScopedModelViewSet
from services.api import errand_serializers as es
from services.api import serializers as s
from services.filtersets import PublishedListEntryFilterSet, ServiceItemFilterSet, TicketFilterSet
from services.models import ProxyErrand, PublishedListEntry, ServiceItem, Ticket, TicketEvent, TicketPhoto
from services.tickets.actions import TICKETS
from services.tickets.errands import proxy_errand_record, proxy_errand_returned
from services.tickets.selectors import dispatch_candidates
from services.tickets.services import ticket_accept_and_dispatch, ticket_add_call, ticket_create, ticket_transition

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


ticket_action_schema = extend_schema(request=s.TicketActionSerializer, responses=s.TicketSerializer)


class TicketViewSet(ScopedModelViewSet):
    """Tickets are never edited or deleted through the API: they change only by transitions (the timeline).

    One `action_<name>` per row of services.tickets.actions.TICKETS (a test checks both ways); an illegal move
    answers 409, a missing reason 400.
    """

    http_method_names = ["get", "post", "head", "options"]
    # The related rows TicketSerializer names (service item, community, handling organization); the others it
    # gives as ids. Joining only these keeps the list's planning time small (issue 11).
    queryset = Ticket.objects.select_related("service_item", "community", "handling_org").prefetch_related(
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

    @ticket_action_schema
    @action(detail=True, methods=["post"], url_path="accept", url_name="accept")
    def action_accept(self, request, pk=None):
        """受理: the one who accepts owns the ticket (首问负责)."""
        return self._run_action("accept")

    @ticket_action_schema
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def action_dispatch(self, request, pk=None):
        """派单: to one assignee (a person, a unit with an active agreement here, or a department)."""
        return self._run_action("dispatch")

    @ticket_action_schema
    @action(detail=True, methods=["post"], url_path="start", url_name="start")
    def action_start(self, request, pk=None):
        """开始办理."""
        return self._run_action("start")

    @ticket_action_schema
    @action(detail=True, methods=["post"], url_path="resolve", url_name="resolve")
    def action_resolve(self, request, pk=None):
        """办结: with the result (`note`, required) and photos; the resident's rating link goes out."""
        return self._run_action("resolve")

    @ticket_action_schema
    @action(detail=True, methods=["post"], url_path="close", url_name="close")
    def action_close(self, request, pk=None):
        """关闭: once the resident has rated or the rating window has lapsed."""
        return self._run_action("close")

    @ticket_action_schema
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def action_return(self, request, pk=None):
        """退回: the assignee sends it back, with a reason."""
        return self._run_action("return")

    @ticket_action_schema
    @action(detail=True, methods=["post"], url_path="reject", url_name="reject")
    def action_reject(self, request, pk=None):
        """不予受理: with a reason and where to refer the resident."""
        return self._run_action("reject")

    @ticket_action_schema
    @action(detail=True, methods=["post"], url_path="reopen", url_name="reopen")
    def action_reopen(self, request, pk=None):
        """重启: with a reason."""
        return self._run_action("reopen")

    @extend_schema(request=s.TicketAddCallSerializer, responses={201: s.TicketEventSerializer})
    @action(detail=True, methods=["post"], url_path="add-call", url_name="add-call")
    def add_call(self, request, pk=None):
        """再次来电: the call goes on this ticket's timeline (a `repeat_call` event) instead of a new ticket."""
        ticket = self.get_object()
        data = self._input(s.TicketAddCallSerializer)
        event = ticket_add_call(ticket=ticket, by=request.user, note=data["note"], channel=data["channel"])
        context = self.get_serializer_context()
        return Response(s.TicketEventSerializer(event, context=context).data, status=status.HTTP_201_CREATED)

    @ticket_action_schema
    @action(detail=True, methods=["post"], url_path="accept-and-dispatch", url_name="accept-and-dispatch")
    def accept_and_dispatch(self, request, pk=None):
        """受理并派单: the accept and dispatch rows in one transaction (two events); input as for dispatch."""
        ticket = self.get_object()
        data = self._input(s.TicketActionSerializer)
        assignee = {key: data[key] for key in TICKETS["dispatch"].params if key in data}
        ticket = ticket_accept_and_dispatch(ticket=ticket, by=request.user, note=data.get("note", ""), **assignee)
        return self._answer(ticket)

    @extend_schema(responses=s.DispatchCandidateSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        url_path="dispatch-candidates",
        url_name="dispatch-candidates",
        pagination_class=None,
    )
    def dispatch_candidates(self, request, pk=None):
        """Whom to dispatch to: grid workers on duty for the ticket's grid first, then community staff; in scope."""
        candidates = dispatch_candidates(ticket=self.get_object(), fetched_by=request.user)
        return Response(s.DispatchCandidateSerializer(candidates, many=True).data)

    @extend_schema(methods=["GET"], responses=es.ProxyErrandSerializer)
    @extend_schema(methods=["POST"], request=es.ProxyErrandRecordSerializer, responses={201: es.ProxyErrandSerializer})
    @action(detail=True, methods=["get", "post"], url_path="proxy-errand", url_name="proxy-errand")
    def proxy_errand(self, request, pk=None):
        """代办: GET the ticket's errand (404 if none); POST records it (staff and grid workers, items that can be
        run as a proxy errand, one per ticket; a `proxy_errand` event on the timeline)."""
        ticket = self.get_object()
        if request.method == "GET":
            errand = get_object_or_404(ProxyErrand.objects.select_related("runner"), ticket=ticket)
            return Response(es.ProxyErrandSerializer(errand).data)
        data = self._input(es.ProxyErrandRecordSerializer)
        errand = proxy_errand_record(ticket=ticket, by=request.user, **data)
        return Response(es.ProxyErrandSerializer(errand).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=es.ProxyErrandReturnSerializer, responses=es.ProxyErrandSerializer)
    @action(detail=True, methods=["post"], url_path="proxy-errand/returned", url_name="proxy-errand-returned")
    def proxy_errand_returned(self, request, pk=None):
        """代办办回: the result came back (once per errand): when (now if left out) and what came of it."""
        errand = get_object_or_404(ProxyErrand.objects.select_related("runner"), ticket=self.get_object())
        data = self._input(es.ProxyErrandReturnSerializer)
        errand = proxy_errand_returned(errand=errand, by=request.user, **data)
        return Response(es.ProxyErrandSerializer(errand).data)

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

    def _run_action(self, name: str):
        """Run the row `name` of the ticket table with the input its row names (reason, parameters, photos)."""
        ticket = self.get_object()
        data = self._input(s.TicketActionSerializer)
        params = {key: data[key] for key in TICKETS[name].params if key in data}
        ticket = ticket_transition(
            ticket=ticket, action=name, by=cast("User", self.request.user),  # the API's permission: signed in
            note=data.get("note", ""),
            photos=data.get("photos", ()), **params,
        )  # fmt: skip
        return self._answer(ticket)
