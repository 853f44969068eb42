"""Hotline and one window: the duplicate warning, adding a call to a ticket on file, accept-and-dispatch in one
step, and whom dispatch suggests."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from grids.models import GridDuty
from orgs.rules import Level
from services.models import Channel, Ticket, TicketEvent, TicketStatus
from services.tickets.selectors import dispatch_candidates, possible_duplicates
from services.tickets.services import ticket_add_call, ticket_transition
from tests.accounts.factories import UserFactory
from tests.grids.factories import GridFactory, GridRoleFactory, HouseholdFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory
from tests.residents.factories import ResidentFactory
from tests.services.factories import ServiceItemFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.STREET))


@pytest.fixture
def grid(community):
    return GridFactory(community=community, name="西津第一网格")


@pytest.fixture
def staff(community):
    return UserFactory(role=Role.STAFF, scope=community, first_name="李受理")


@pytest.fixture
def resident(grid):
    return ResidentFactory(household=HouseholdFactory(building__grid=grid), name="陈奶奶")


@pytest.fixture
def item():
    return ServiceItemFactory(name="路灯维修", code="ENV-001")


def _filed(resident, item, **extra):
    household = resident.household
    return TicketFactory(
        service_item=item, grid=household.building.grid, building=household.building, household=household,
        reporter=resident, **extra,
    )  # fmt: skip


def _intake(resident, item, **extra) -> dict:
    data = {"channel": Channel.HOTLINE, "description": "路灯又坏了", "priority": "normal", "q": ""}
    return data | {"reporter": resident.pk, "service_item": item.pk} | extra


# --- duplicates --------------------------------------------------------------------------------------------------


def test_intake_warns_of_open_ticket_for_same_resident_and_item(client, staff, resident, item):
    first = _filed(resident, item)
    client.force_login(staff)
    response = client.post(reverse("tickets:new"), _intake(resident, item))
    assert response.status_code == 200
    assert first.reference in response.content.decode()
    assert "这是同一件事" in response.content.decode()
    assert Ticket.objects.count() == 1


def test_intake_files_anyway_when_the_caller_says_it_is_another_matter(client, staff, resident, item):
    _filed(resident, item)
    client.force_login(staff)
    response = client.post(reverse("tickets:new"), _intake(resident, item, new_anyway="1"))
    assert response.status_code == 302
    assert Ticket.objects.count() == 2


def test_same_item_at_same_building_is_a_possible_duplicate_for_another_resident(staff, resident, item):
    first = _filed(resident, item)
    neighbour = ResidentFactory(household=HouseholdFactory(building=resident.household.building))
    found = possible_duplicates(fetched_by=staff, service_item=item, resident=neighbour)
    assert list(found) == [first]


def test_closed_or_old_tickets_are_not_possible_duplicates(staff, resident, item):
    closed = _filed(resident, item)
    Ticket.objects.filter(pk=closed.pk).update(status=TicketStatus.CLOSED)
    old = _filed(resident, item)
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))
    assert list(possible_duplicates(fetched_by=staff, service_item=item, resident=resident)) == []


def test_a_duplicate_outside_the_users_scope_is_never_shown(resident, item):
    _filed(resident, item)
    other = OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.STREET))
    outsider = UserFactory(role=Role.STAFF, scope=other)
    assert list(possible_duplicates(fetched_by=outsider, service_item=item, resident=resident)) == []


def test_adding_the_call_appends_a_repeat_call_event_instead_of_a_new_ticket(client, staff, resident, item):
    first = _filed(resident, item)
    client.force_login(staff)
    response = client.post(reverse("tickets:new"), _intake(resident, item, add_call_to=str(first.pk)))
    assert response["Location"] == reverse("tickets:detail", args=[first.pk])
    assert Ticket.objects.count() == 1
    event = first.events.get(kind="repeat_call")
    assert (event.actor, event.note, event.data) == (staff, "路灯又坏了", {"channel": Channel.HOTLINE})
    page = client.get(reverse("tickets:detail", args=[first.pk])).content.decode()
    assert "群众再次来电" in page


def test_a_call_cannot_be_added_to_a_ticket_outside_scope(client, resident, item):
    first = _filed(resident, item)
    other = OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.STREET))
    client.force_login(UserFactory(role=Role.STAFF, scope=other))
    response = client.post(reverse("tickets:new"), _intake(resident, item, add_call_to=str(first.pk)))
    assert response.status_code == 404
    assert not TicketEvent.objects.filter(kind="repeat_call").exists()


def test_a_call_cannot_be_added_to_a_closed_ticket(staff, resident, item):
    first = _filed(resident, item)
    Ticket.objects.filter(pk=first.pk).update(status=TicketStatus.CLOSED)
    with pytest.raises(Exception, match="不能追加来电"):
        ticket_add_call(ticket=first, by=staff, note="again")


# --- accept and dispatch in one step -----------------------------------------------------------------------------


def test_intake_accepts_and_dispatches_in_one_step(client, staff, resident, item, grid):
    worker = grid_worker_for(grid, first_name="王网格")
    client.force_login(staff)
    response = client.post(reverse("tickets:new"), _intake(resident, item, do="dispatch", assignee_user=worker.pk))
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("tickets:detail", args=[ticket.pk])
    assert (ticket.status, ticket.owner, ticket.assignee_user) == (TicketStatus.DISPATCHED, staff, worker)
    assert list(ticket.events.values_list("kind", flat=True)) == ["reported", "accept", "dispatch"]


def test_accept_and_dispatch_without_an_assignee_files_nothing(client, staff, resident, item):
    client.force_login(staff)
    response = client.post(reverse("tickets:new"), _intake(resident, item, do="dispatch"))
    assert response.status_code == 200
    assert "受理并派单须选择承办人" in response.content.decode()
    assert not Ticket.objects.exists()


def test_accept_and_dispatch_to_someone_out_of_scope_files_nothing(client, staff, resident, item):
    other = OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.STREET))
    stranger = UserFactory(role=Role.STAFF, scope=other)
    client.force_login(staff)
    response = client.post(reverse("tickets:new"), _intake(resident, item, do="dispatch", assignee_user=stranger.pk))
    assert response.status_code == 200
    assert not Ticket.objects.exists()


# --- dispatch suggestions ----------------------------------------------------------------------------------------


def test_dispatch_suggests_the_grid_worker_on_duty_first_then_community_staff(staff, resident, item, grid):
    worker = grid_worker_for(grid, first_name="王网格")
    GridRoleFactory(grid=grid, duty=GridDuty.BUILDING_HEAD, user=UserFactory(role=Role.GRID_WORKER, scope=None))
    ticket = _filed(resident, item)
    busy = _filed(resident, ServiceItemFactory())
    ticket_transition(ticket=busy, action="accept", by=staff)
    ticket_transition(ticket=busy, action="dispatch", by=staff, assignee_user=worker)
    candidates = dispatch_candidates(ticket=ticket, fetched_by=staff)
    assert [(c.user, c.reason) for c in candidates] == [(worker, "grid_worker"), (staff, "community_staff")]
    assert (candidates[0].grids, candidates[0].open_load) == ([grid], 1)


def test_dispatch_candidates_run_a_constant_number_of_queries(
    staff, resident, item, grid, django_assert_max_num_queries
):
    for _ in range(3):
        grid_worker_for(grid)
        UserFactory(role=Role.STAFF, scope=grid.community)
    ticket = _filed(resident, item)
    with django_assert_max_num_queries(5):
        assert len(dispatch_candidates(ticket=ticket, fetched_by=staff)) == 7


def test_dispatch_never_suggests_someone_outside_the_users_scope(resident, item, grid):
    grid_worker_for(grid)
    other = OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.STREET))
    outsider = UserFactory(role=Role.STAFF, scope=other)
    ticket = _filed(resident, item)
    assert dispatch_candidates(ticket=ticket, fetched_by=outsider) == []


def test_dispatch_form_lists_the_suggested_grid_worker_first_with_grid_and_load(client, staff, resident, item, grid):
    grid_worker_for(grid, first_name="王网格")
    ticket = _filed(resident, item)
    ticket_transition(ticket=ticket, action="accept", by=staff)
    client.force_login(staff)
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "建议：王网格（网格员） · 西津第一网格 · 在办 0 件" in page


# --- API ---------------------------------------------------------------------------------------------------------


def test_api_adds_a_call_to_a_ticket_and_refuses_a_closed_one(staff, resident, item):
    from tests.scoped_api import client_as

    first = _filed(resident, item)
    url = f"/api/v1/tickets/{first.pk}/add-call/"
    response = client_as(staff).post(url, {"note": "又打来了", "channel": "hotline"}, format="json")
    assert response.status_code == 201 and response.json()["kind"] == "repeat_call"
    Ticket.objects.filter(pk=first.pk).update(status=TicketStatus.CLOSED)
    assert client_as(staff).post(url, {"note": "x"}, format="json").status_code == 409


def test_api_accepts_and_dispatches_in_one_step_and_lists_candidates(staff, resident, item, grid):
    from tests.scoped_api import client_as

    worker = grid_worker_for(grid, first_name="王网格")
    ticket = _filed(resident, item)
    candidates = client_as(staff).get(f"/api/v1/tickets/{ticket.pk}/dispatch-candidates/").json()
    assert candidates[0]["user"] == worker.pk and candidates[0]["suggested"] is True
    assert candidates[0]["grids"][0]["name"] == "西津第一网格"
    response = client_as(staff).post(
        f"/api/v1/tickets/{ticket.pk}/accept-and-dispatch/", {"assignee_user": worker.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == TicketStatus.DISPATCHED


def test_api_candidates_and_add_call_are_404_outside_scope(resident, item):
    from tests.scoped_api import client_as

    ticket = _filed(resident, item)
    other = OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.STREET))
    outsider = UserFactory(role=Role.STAFF, scope=other)
    assert client_as(outsider).get(f"/api/v1/tickets/{ticket.pk}/dispatch-candidates/").status_code == 404
    assert client_as(outsider).post(f"/api/v1/tickets/{ticket.pk}/add-call/", {}, format="json").status_code == 404
