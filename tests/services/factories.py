"""Factories for the services app: catalogue, tickets, menu, micro-wishes, housekeeper projects, webhooks.

Other apps' tests import these. A ticket is made through `services.tickets.services.ticket_create` (reference, SLA
deadlines, handling organization and the first event come from the one place that writes them); rows made without
arguments hang together: a community under a street.
"""

import factory

from orgs.rules import Level
from services.models import (
    Channel,
    HousekeeperProject,
    MenuService,
    MicroWish,
    ProjectKind,
    ProviderKind,
    ServiceCategory,
    ServiceItem,
    Ticket,
    WebhookSubscription,
)
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory
from tests.residents.factories import ResidentFactory


def new_community():
    """A community under a new street (so street staff and a sibling community exist for scoping tests)."""
    return OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.STREET))


class ServiceItemFactory(factory.django.DjangoModelFactory):
    """A city-wide public item (organization=None); pass `organization=` for a community's own item."""

    class Meta:
        model = ServiceItem
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SI-{n:04d}")
    name = factory.Sequence(lambda n: f"服务事项{n}")
    category = ServiceCategory.OTHER
    response_hours = 4
    resolution_hours = 40
    organization = None


class TicketFactory(factory.django.DjangoModelFactory):
    """A hotline ticket registered through ticket_create; pass `by=` for the registering user, `grid=` to place it.

    Any other model field (status, owner, assignee_user...) is set as given, so a test can start from any state.
    """

    class Meta:
        model = Ticket

    channel = Channel.HOTLINE
    service_item = factory.SubFactory(ServiceItemFactory)
    grid = None
    community = factory.LazyAttribute(lambda o: o.grid.community if o.grid is not None else new_community())
    description = factory.Sequence(lambda n: f"楼道灯坏了{n}")
    reporter_name = "张三"
    reporter_phone = "13912345678"

    @classmethod
    def _create(cls, model_class, *args, by=None, photos=(), **kwargs):
        from services.tickets.services import ticket_create

        return ticket_create(by=by, photos=photos, **kwargs)


class MenuServiceFactory(factory.django.DjangoModelFactory):
    """A menu service offered by the community's own Party organization."""

    class Meta:
        model = MenuService

    community = factory.LazyFunction(new_community)
    title = factory.Sequence(lambda n: f"点单服务{n}")
    description = "法律咨询"
    service_item = factory.SubFactory(ServiceItemFactory)
    provider_kind = ProviderKind.ORGANIZATION
    provider_org = factory.SelfAttribute("community")
    is_active = True


class MicroWishFactory(factory.django.DjangoModelFactory):
    """A posted wish of a resident, in the community of the resident's grid."""

    class Meta:
        model = MicroWish

    resident = factory.SubFactory(ResidentFactory)
    community = factory.LazyAttribute(lambda o: o.resident.household.building.grid.community)
    title = factory.Sequence(lambda n: f"微心愿{n}")
    description = "想要一台收音机"
    posted_by = factory.SubFactory(UserFactory)


class HousekeeperProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HousekeeperProject

    community = factory.LazyFunction(new_community)
    year = 2025
    title = factory.Sequence(lambda n: f"管家计划项目{n}")
    kind = ProjectKind.MICRO_SERVICE
    carried_out_by = "宁国市益心社工"


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    """A subscription to every event of `organization`'s subtree; the URL is local and never called in tests."""

    class Meta:
        model = WebhookSubscription

    organization = factory.LazyFunction(new_community)
    owner = factory.SubFactory(UserFactory)
    url = "http://127.0.0.1:9/hook"
    secret = "test-secret"
    events = factory.LazyFunction(list)
    is_active = True
