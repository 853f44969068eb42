from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import login_guard
from accounts.api.serializers import TokenRequestSerializer, TokenSerializer, UserSerializer
from accounts.models import Role, User
from accounts.services import user_create, user_update
from core.api.viewsets import ScopedModelViewSet


class ObtainTokenView(APIView):
    """POST username and password, get the token for the Authorization header ("Token <key>")."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        # The backend refuses a locked-out login anyway (accounts.login_guard); asking first makes it a 429.
        username = request.data.get("username", "") if hasattr(request.data, "get") else ""
        wait = login_guard.retry_after(request, username)
        if wait:
            raise Throttled(wait=wait, detail=_("登录失败次数过多，请稍后再试。"))
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class AccountsPermission(BasePermission):
    """Accounts are staff business: only staff (and superusers) list, read or write them; anyone signed in reads
    their own at /users/me/. Officials, integrators, grid workers and unit liaisons get 403 on the rest."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        return view.action == "me" or user.is_superuser or user.role == Role.STAFF


class UserViewSet(ScopedModelViewSet):
    """Portal accounts. Only staff manage them, and never with a scope wider than their own."""

    permission_classes = [AccountsPermission]
    queryset = User.objects.select_related("scope")
    serializer_class = UserSerializer
    filterset_fields = ["role", "scope", "is_active"]
    search_fields = ["username", "first_name", "last_name"]
    ordering_fields = ["username", "date_joined"]
    ordering = ["username"]

    def perform_create(self, serializer):
        serializer.instance = user_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = user_update(user=serializer.instance, by=self.request.user, **serializer.validated_data)

    @action(detail=False)
    def me(self, request):
        return Response(self.get_serializer(request.user).data)
