"""The intake form refreshes whom to suggest for dispatch, and the possible duplicates, as soon as a resident or an
item is picked (an htmx fragment served by the intake view itself); without JS the page works as before."""

import pytest
from django.urls import reverse

from accounts.models import Role
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.grids.factories import GridFactory, HouseholdFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory
from tests.residents.factories import ResidentFactory
from tests.services.factories import ServiceItemFactory, TicketFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def community():
    return OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.STREET))


@pytest.fixture
def grid(community):
    return GridFactory(community=community, name="西津第一网格")


@pytest.fixture
def staff(community):
    return UserFactory(role=Role.STAFF, scope=community)


@pytest.fixture
def resident(grid):
    return ResidentFactory(household=HouseholdFactory(building__grid=grid), name="陈奶奶")


def _suggest(client, **picked):
    return client.get(reverse("tickets:new"), {"suggest": "1", **picked}, **HTMX)


def test_picking_a_resident_suggests_their_grid_worker_first(client, staff, resident, grid):
    worker = grid_worker_for(grid, first_name="王网格")
    client.force_login(staff)
    answer = _suggest(client, reporter=resident.pk)
    body = answer.content.decode()
    assert answer.status_code == 200 and "<html" not in body  # the fragment, not the page
    options = body[body.index('name="assignee_user"') :]
    assert options.index(f'value="{worker.pk}"') < options.index(f'value="{staff.pk}"')
    assert "建议：" in body and "西津第一网格" in body
    assert 'id="intake-duplicates" hx-swap-oob="true"' in body and 'id="duplicates"' not in body


def test_picking_resident_and_item_shows_possible_duplicates_without_the_confirmation(client, staff, resident):
    item = ServiceItemFactory(name="路灯维修")
    household = resident.household
    earlier = TicketFactory(
        service_item=item, grid=household.building.grid, building=household.building, household=household,
        reporter=resident,
    )  # fmt: skip
    client.force_login(staff)
    body = _suggest(client, reporter=resident.pk, service_item=item.pk).content.decode()
    assert f'data-reference="{earlier.reference}"' in body and f'value="{earlier.pk}"' in body
    assert "new_anyway" not in body  # filing anyway still takes the submit's second click


def test_the_fragment_never_offers_someone_outside_the_readers_scope(client, resident, grid):
    grid_worker_for(grid, first_name="王网格")
    elsewhere = OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.STREET))
    outsider = UserFactory(role=Role.STAFF, scope=elsewhere)
    client.force_login(outsider)
    body = _suggest(client, reporter=resident.pk).content.decode()
    assert "王网格" not in body and "陈奶奶" not in body


def test_the_page_carries_the_refresh_and_still_works_without_htmx(client, staff):
    client.force_login(staff)
    page = client.get(reverse("tickets:new"), {"suggest": "1"}).content.decode()  # no HX-Request: the whole page
    assert "<html" in page and 'hx-trigger="picked from:#intake"' in page
    assert 'data-picked-fields="reporter service_item community"' in page and 'id="intake-duplicates"' in page


def test_officials_get_no_fragment(client, community):
    client.force_login(UserFactory(role=Role.OFFICIAL, scope=community.parent))
    assert _suggest(client).status_code == 403
