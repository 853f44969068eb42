"""The services viewsets (catalogue, published lists, tickets, menu, orders, wishes, projects), whistle calls and
notifications in the shared scoped-API battery (tests/scoped_api.py)."""

import pytest

from accounts.models import Role, User
from notifications.models import Notification
from services.models import Channel, ListKind, PublishedListEntry
from tests.cobuilding.factories import WhistleCallFactory, WhistleFactory
from tests.cobuilding.test_api import unit_in
from tests.grids.factories import community_under, grid_under
from tests.residents.factories import ResidentFactory
from tests.scoped_api import SCOPED_API_CHECKS, ScopedApi, check_name
from tests.services.factories import (
    HousekeeperProjectFactory,
    MenuServiceFactory,
    MicroWishFactory,
    ServiceItemFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db

PUBLIC_READ = "public information: every signed-in user reads every row; writes are scoped (see test_api.py)"
READ_ONLY = frozenset()


def _owner_of(org) -> User:
    """The cast's owner: the staff member scoped to `org` (the cast has one per street)."""
    return User.objects.filter(scope=org, role=Role.STAFF).order_by("pk").first()


def _shared_item():
    """One catalogue item for both streets: the catalogue is public, so naming it is never out of scope."""
    return ServiceItemFactory(code="SI-SHARED")


def _order(org):
    community = community_under(org)
    item = MenuServiceFactory(community=community)
    return TicketFactory(
        channel=Channel.POINT_ORDER, menu_item=item, service_item=item.service_item, community=community
    )


def _wish(org):
    return MicroWishFactory(resident=ResidentFactory(household__building__grid=grid_under(org)))


SERVICE_ITEMS = ScopedApi(
    url="/api/v1/service-items/",
    make=lambda org: ServiceItemFactory(organization=org),
    payload=lambda org: {
        "code": f"SI-{ServiceItemFactory._meta.model.objects.count() + 9000}",
        "name": "新服务事项",
        "category": "other",
        "response_hours": 4,
        "resolution_hours": 40,
        "organization": org.pk,
    },  # fmt: skip
    update={"name": "改名服务"},
    writers=("owner",),
    skips={"outsider_gets_404_and_sees_nothing": PUBLIC_READ},
)
PUBLISHED_LISTS = ScopedApi(
    url="/api/v1/published-lists/",
    make=lambda org: PublishedListEntry.objects.create(organization=org, kind=ListKind.values[0], title="条目"),
    payload=lambda org: {},
    update={"title": "改名"},
    methods=READ_ONLY,
    skips={"outsider_gets_404_and_sees_nothing": PUBLIC_READ},
)
TICKETS = ScopedApi(
    url="/api/v1/tickets/",
    make=lambda org: TicketFactory(community=community_under(org)),
    payload=lambda org: {
        "service_item": _shared_item().pk,
        "community": community_under(org).pk,
        "description": "楼道灯坏了",
        "reporter_name": "张三",
        "reporter_phone": "13912345678",
    },  # fmt: skip
    update={"description": "改"},
    methods=frozenset({"create"}),
    filters=lambda cast: {"grid": grid_under(cast.sibling).pk},
)
MENU = ScopedApi(
    url="/api/v1/menu/",
    make=lambda org: MenuServiceFactory(community=community_under(org)),
    payload=lambda org: {
        "community": community_under(org).pk,
        "title": "法律咨询",
        "service_item": _shared_item().pk,
        "provider_kind": "organization",
        "provider_org": community_under(org).pk,
    },  # fmt: skip
    update={"title": "改名服务"},
)
ORDERS = ScopedApi(
    url="/api/v1/orders/",
    make=_order,
    payload=lambda org: {
        "menu_item": MenuServiceFactory(community=community_under(org)).pk,
        "reporter_name": "张三",
        "reporter_phone": "13912345678",
        "description": "想咨询法律问题",
    },  # fmt: skip
    update={"description": "改"},
    methods=frozenset({"create"}),
    filters=lambda cast: {"community": community_under(cast.sibling).pk},
)
WISHES = ScopedApi(
    url="/api/v1/wishes/",
    make=_wish,
    payload=lambda org: {"resident": ResidentFactory(household__building__grid=grid_under(org)).pk, "title": "收音机"},
    update={"title": "改"},
    methods=frozenset({"create"}),
    filters=lambda cast: {"community": community_under(cast.sibling).pk},
)
PROJECTS = ScopedApi(
    url="/api/v1/projects/",
    make=lambda org: HousekeeperProjectFactory(community=community_under(org)),
    payload=lambda org: {
        "community": community_under(org).pk,
        "year": 2025,
        "title": "新项目",
        "kind": "micro_service",
    },  # fmt: skip
    update={"title": "改名项目"},
    filters=lambda cast: {"community": community_under(cast.sibling).pk},
)
WHISTLE_CALLS = ScopedApi(
    url="/api/v1/whistle-calls/",
    make=lambda org: WhistleCallFactory(whistle=WhistleFactory(community=community_under(org)), unit=unit_in(org)),
    payload=lambda org: {},
    update={"response": "改"},
    methods=READ_ONLY,
    filters=lambda cast: {"unit": unit_in(cast.sibling).pk},
)
NOTIFICATIONS = ScopedApi(
    url="/api/v1/notifications/",
    make=lambda org: Notification.objects.create(
        recipient=_owner_of(org), kind="ticket_reported", title="新工单", dedup_key=f"k{Notification.objects.count()}"
    ),
    payload=lambda org: {},
    update={"is_read": True},
    methods=READ_ONLY,
    readers=("owner",),  # a notification is its recipient's alone
    writers=(),
)

SERVICES_APIS = [SERVICE_ITEMS, PUBLISHED_LISTS, TICKETS, MENU, ORDERS, WISHES, PROJECTS, WHISTLE_CALLS, NOTIFICATIONS]


@pytest.mark.parametrize("api", SERVICES_APIS, ids=lambda api: api.url.split("/")[-2])
@pytest.mark.parametrize("check", SCOPED_API_CHECKS, ids=check_name)
def test_services_api_follows_scope(check, api):
    check(api)
