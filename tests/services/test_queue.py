"""The /tickets/ queue: opens on open work, every filter labelled, tree filters within the user's scope, "mine"
only for those who can hold a ticket; the API keeps its unfiltered default."""

import pytest
from django.urls import reverse

from accounts.models import Role
from orgs.rules import Level
from services.filtersets import QUEUE_DEFAULT_STATUSES, TicketFilterSet
from services.models import Ticket, TicketStatus
from tests.accounts.factories import UserFactory
from tests.grids.factories import GridFactory
from tests.orgs.factories import OrganizationFactory
from tests.services.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    return OrganizationFactory(level=Level.DISTRICT)


@pytest.fixture
def street(district):
    return OrganizationFactory(level=Level.STREET, parent=district)


@pytest.fixture
def community(street):
    return OrganizationFactory(level=Level.COMMUNITY, parent=street)


@pytest.fixture
def other_street(district):
    return OrganizationFactory(level=Level.STREET, parent=district)


@pytest.fixture
def outside_community(other_street):
    return OrganizationFactory(level=Level.COMMUNITY, parent=other_street)


def queue(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("tickets:queue"), params)
    assert response.status_code == 200
    return response


def form_of(response):
    return response.context["filter_form"]


def test_queue_opens_on_open_work(client, community):
    staff = UserFactory(role=Role.STAFF, scope=community)
    open_ticket = TicketFactory(community=community)
    resolved = TicketFactory(community=community)
    closed = TicketFactory(community=community)
    rejected = TicketFactory(community=community)
    Ticket.objects.filter(pk=resolved.pk).update(status=TicketStatus.RESOLVED)
    Ticket.objects.filter(pk=closed.pk).update(status=TicketStatus.CLOSED)
    Ticket.objects.filter(pk=rejected.pk).update(status=TicketStatus.REJECTED)

    html = queue(client, staff).content.decode()
    assert open_ticket.reference in html and resolved.reference in html
    assert closed.reference not in html and rejected.reference not in html

    finished = queue(client, staff, status=["closed", "rejected"]).content.decode()
    assert closed.reference in finished and rejected.reference in finished and open_ticket.reference not in finished
    everything = queue(client, staff, status="").content.decode()
    assert all(t.reference in everything for t in (open_ticket, resolved, closed, rejected))


def test_queue_offers_links_to_open_finished_and_all(client, community):
    html = queue(client, UserFactory(role=Role.STAFF, scope=community)).content.decode()
    assert 'href="/tickets/?status=closed&amp;status=rejected"' in html or "status=closed&status=rejected" in html
    assert 'href="/tickets/?status="' in html


def test_api_lists_every_status_by_default(client, community):
    staff = UserFactory(role=Role.STAFF, scope=community)
    closed = TicketFactory(community=community)
    Ticket.objects.filter(pk=closed.pk).update(status=TicketStatus.CLOSED)
    client.force_login(staff)
    rows = client.get("/api/v1/tickets/").json()["results"]
    assert [row["id"] for row in rows] == [closed.pk]


def test_default_statuses_are_all_but_closed_and_rejected():
    assert set(QUEUE_DEFAULT_STATUSES) == set(TicketStatus.values) - {"closed", "rejected"}


def test_every_queue_filter_has_a_label(client, district):
    official = UserFactory(role=Role.OFFICIAL, scope=district)
    staff = UserFactory(role=Role.STAFF, scope=district)
    for user in (official, staff):
        form = form_of(queue(client, user))
        for name, field in form.fields.items():
            assert field.label and str(field.label) != name, name
    assert all(f.label for f in TicketFilterSet.base_filters.values())
    assert str(TicketFilterSet.base_filters["priority"].label) == "优先级"


def test_an_official_gets_street_and_community_filters_within_scope_and_no_mine(
    client, district, street, community, outside_community
):
    official = UserFactory(role=Role.OFFICIAL, scope=street)
    form = form_of(queue(client, official))
    assert "mine" not in form.fields
    assert "street" not in form.fields  # one street: nothing to choose
    communities = set(form.fields["community"].queryset)
    assert community in communities and outside_community not in communities

    district_official = UserFactory(role=Role.OFFICIAL, scope=district)
    form = form_of(queue(client, district_official))
    assert {"street", "community", "grid"} <= set(form.fields)
    assert set(form.fields["street"].queryset) == {street, outside_community.parent}
    assert all(org.level == Level.COMMUNITY for org in form.fields["community"].queryset)


def test_street_staff_filters_by_community_and_mine(client, street, community, outside_community):
    street_staff = UserFactory(role=Role.STAFF, scope=street)
    inside = TicketFactory(community=community)
    form = form_of(queue(client, street_staff))
    assert {"community", "grid", "mine"} <= set(form.fields) and "street" not in form.fields
    html = queue(client, street_staff, community=community.pk).content.decode()
    assert inside.reference in html
    refused = queue(client, street_staff, community=outside_community.pk)
    assert "community" in form_of(refused).errors  # not a valid choice, as a missing id


def test_community_staff_gets_only_the_grid_filter(client, community):
    staff = UserFactory(role=Role.STAFF, scope=community)
    GridFactory(community=community)
    form = form_of(queue(client, staff))
    assert "grid" in form.fields and "street" not in form.fields and "community" not in form.fields
    assert "mine" in form.fields


def test_api_refuses_a_street_outside_scope(client, street, other_street):
    client.force_login(UserFactory(role=Role.STAFF, scope=street))
    assert client.get("/api/v1/tickets/", {"street": other_street.pk}).status_code == 400
    assert client.get("/api/v1/tickets/", {"street": 999999}).status_code == 400
    assert client.get("/api/v1/tickets/", {"street": street.pk}).status_code == 200


def test_street_filter_narrows_to_the_streets_tickets(client, district, community, outside_community):
    official = UserFactory(role=Role.OFFICIAL, scope=district)
    inside, outside = TicketFactory(community=community), TicketFactory(community=outside_community)
    html = queue(client, official, street=community.parent_id).content.decode()
    assert inside.reference in html and outside.reference not in html


# ---- the admin changelist ----------------------------------------------------------------------------------------


def test_ticket_changelist_shows_the_scanned_columns_in_constant_queries(
    client, community, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from services.admin import TicketAdmin

    assert TicketAdmin.list_display == [
        "reference", "status", "card", "service_item", "where", "assignee", "resolution_due_at",
    ]  # fmt: skip
    staff = UserFactory(role=Role.STAFF, scope=community, is_staff=True)
    client.force_login(staff)
    url = reverse("admin:services_ticket_changelist")
    grid = GridFactory(community=community)
    TicketFactory(community=community, grid=grid)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    assert response.status_code == 200
    assert "ticket_changelist.css" in response.content.decode()
    for _ in range(5):
        TicketFactory(community=community, grid=grid)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200
