"""API for the point-order menu (/menu/), orders (/orders/), micro-wishes (/wishes/) and projects (/projects/).

Orders are tickets of channel point_order: the list is the scoped ticket queryset narrowed to that channel, and the
actions (dispatch 下单, take 接单, done) are moves of the one ticket transition table through
services.community.services. Viewsets hold no rules of their own.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api.parsers import JSONObjectParser
from core.api.viewsets import ScopedModelViewSet, ScopedReadCreateViewSet
from services.api import community_serializers as s
from services.community import services as cs
from services.models import Channel, HousekeeperProject, MenuService, MicroWish, Ticket

UPLOAD_PARSERS = [MultiPartParser, FormParser, JSONObjectParser]


class ActionMixin:
    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _answer(self, instance, code=status.HTTP_200_OK):
        return Response(self.get_serializer(instance).data, status=code)


class MenuServiceViewSet(ScopedModelViewSet):
    queryset = MenuService.objects.select_related(
        "community", "service_item", "provider_org", "provider_member", "provider_unit"
    )
    serializer_class = s.MenuServiceSerializer
    filterset_fields = ["community", "provider_kind", "is_active", "service_item"]
    search_fields = ["title", "description"]
    ordering_fields = ["title"]


class OrderViewSet(ActionMixin, ScopedReadCreateViewSet):
    """Point orders. POST places one (点单); dispatch, take and done move it along the ticket life."""

    serializer_class = s.OrderSerializer
    filterset_fields = ["status", "community", "menu_item"]
    search_fields = ["reference", "description"]
    ordering_fields = ["created_at", "resolution_due_at"]

    queryset = Ticket.objects.with_related().select_related("menu_item").filter(channel=Channel.POINT_ORDER)

    @extend_schema(request=s.OrderPlaceSerializer, responses=s.OrderSerializer)
    def create(self, request, *args, **kwargs):
        data = self._input(s.OrderPlaceSerializer)
        ticket = cs.order_place(by=request.user, **data)
        return self._answer(self.get_queryset().get(pk=ticket.pk), code=status.HTTP_201_CREATED)

    @extend_schema(request=s.NoteSerializer, responses=s.OrderSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_order(self, request, pk=None):  # not `dispatch`: that name is APIView's request entry point
        """下单: to the menu service's provider."""
        ticket = cs.order_dispatch(ticket=self.get_object(), by=request.user, **self._input(s.NoteSerializer))
        return self._answer(self.get_queryset().get(pk=ticket.pk))

    @extend_schema(request=s.NoteSerializer, responses=s.OrderSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        """接单: the provider starts on it."""
        ticket = cs.order_take(ticket=self.get_object(), by=request.user, **self._input(s.NoteSerializer))
        return self._answer(self.get_queryset().get(pk=ticket.pk))

    @extend_schema(request=s.OrderDoneSerializer, responses=s.OrderSerializer)
    @action(detail=True, methods=["post"], parser_classes=UPLOAD_PARSERS)
    def done(self, request, pk=None):
        data = self._input(s.OrderDoneSerializer)
        ticket = cs.order_done(ticket=self.get_object(), by=request.user, note=data["note"], photos=data["photos"])
        return self._answer(self.get_queryset().get(pk=ticket.pk))


class MicroWishViewSet(ActionMixin, ScopedReadCreateViewSet):
    """Micro-wishes. POST posts one for a resident; one `action_<name>` per row of the wish table
    (services.community.actions.WISHES): claim, fulfil (with a photo), confirm and withdraw."""

    serializer_class = s.MicroWishSerializer
    filterset_fields = ["status", "community"]
    search_fields = ["title"]
    ordering_fields = ["posted_at", "claimed_at", "fulfilled_at"]

    queryset = MicroWish.objects.select_related(
        "resident", "community", "claimed_by_member", "claimed_by_unit", "claimed_by_org"
    )

    @extend_schema(request=s.WishPostSerializer, responses=s.MicroWishSerializer)
    def create(self, request, *args, **kwargs):
        wish = cs.wish_post(by=request.user, **self._input(s.WishPostSerializer))
        return self._answer(self.get_queryset().get(pk=wish.pk), code=status.HTTP_201_CREATED)

    @extend_schema(request=s.WishClaimSerializer, responses=s.MicroWishSerializer)
    @action(detail=True, methods=["post"], url_path="claim", url_name="claim")
    def action_claim(self, request, pk=None):
        wish = cs.wish_claim(wish=self.get_object(), by=request.user, **self._input(s.WishClaimSerializer))
        return self._answer(self.get_queryset().get(pk=wish.pk))

    @extend_schema(request=s.WishFulfilSerializer, responses=s.MicroWishSerializer)
    @action(detail=True, methods=["post"], url_path="fulfil", url_name="fulfil", parser_classes=UPLOAD_PARSERS)
    def action_fulfil(self, request, pk=None):
        data = self._input(s.WishFulfilSerializer)
        wish = cs.wish_fulfil(wish=self.get_object(), photo=data["photo"], by=request.user)
        return self._answer(self.get_queryset().get(pk=wish.pk))

    @extend_schema(request=None, responses=s.MicroWishSerializer)
    @action(detail=True, methods=["post"], url_path="confirm", url_name="confirm")
    def action_confirm(self, request, pk=None):
        wish = cs.wish_confirm(wish=self.get_object(), by=request.user)
        return self._answer(self.get_queryset().get(pk=wish.pk))

    @extend_schema(request=None, responses=s.MicroWishSerializer)
    @action(detail=True, methods=["post"], url_path="withdraw", url_name="withdraw")
    def action_withdraw(self, request, pk=None):
        wish = cs.wish_withdraw(wish=self.get_object(), by=request.user)
        return self._answer(self.get_queryset().get(pk=wish.pk))


class HousekeeperProjectViewSet(ActionMixin, ScopedModelViewSet):
    queryset = HousekeeperProject.objects.select_related("community", "funded_by")
    serializer_class = s.HousekeeperProjectSerializer
    filterset_fields = ["community", "year", "kind", "rating", "funded_by"]
    search_fields = ["title", "carried_out_by"]
    ordering_fields = ["year", "title", "funding"]

    @extend_schema(request=s.ProjectClaimSerializer, responses=s.HousekeeperProjectSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        project = cs.project_claim(project=self.get_object(), by=request.user, **self._input(s.ProjectClaimSerializer))
        return self._answer(project)

    @extend_schema(request=s.ProjectRateSerializer, responses=s.HousekeeperProjectSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        project = cs.project_rate(project=self.get_object(), by=request.user, **self._input(s.ProjectRateSerializer))
        return self._answer(project)
