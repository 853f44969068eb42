"""Proxy errands (代办): recorded on tickets whose item can be run for the resident, by staff and grid workers in
scope; the return registered once; each step on the ticket's timeline; shown and posted on the ticket page; read-only
in the admin."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from orgs.rules import Level
from services.models import ProxyErrand, TicketStatus
from services.tickets.errands import PROXY_ERRAND, proxy_errand_record, proxy_errand_returned
from services.tickets.services import ticket_transition
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import GridFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory
from tests.services.factories import ServiceItemFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.STREET))


@pytest.fixture
def grid(community):
    return GridFactory(community=community)


@pytest.fixture
def staff(community):
    return UserFactory(role=Role.STAFF, scope=community, first_name="李代办")


@pytest.fixture
def ticket(grid):
    return TicketFactory(grid=grid, service_item=ServiceItemFactory(name="各类证明代办", can_proxy=True))


def _record(ticket, by, runner=None, **extra):
    fields = {
        "handed_in": "身份证复印件、户口本", "handed_in_where": "河沥溪街道便民服务中心",
        "handed_in_at": timezone.now() - datetime.timedelta(hours=3),
    } | extra  # fmt: skip
    return proxy_errand_record(ticket=ticket, by=by, runner=runner or by, **fields)


def test_staff_records_an_errand_and_its_return_on_the_timeline(ticket, staff, grid):
    worker = grid_worker_for(grid)
    errand = _record(ticket, staff, runner=worker)
    assert errand.runner == worker and errand.created_by == staff and not errand.returned
    back = proxy_errand_returned(errand=errand, by=staff, came_back_at=timezone.now(), note="证明已开具，送到居民家中")
    assert back.returned and back.outcome_note == "证明已开具，送到居民家中"
    events = list(ticket.events.filter(kind=PROXY_ERRAND).order_by("pk"))
    assert [e.data["step"] for e in events] == ["handed_in", "came_back"]
    assert "河沥溪街道便民服务中心" in events[0].note and events[0].actor == staff


def test_grid_worker_records_an_errand_on_a_ticket_of_their_grid(ticket, grid):
    worker = grid_worker_for(grid)
    assert _record(ticket, worker).runner == worker


def test_an_item_that_cannot_be_proxied_refuses_an_errand(grid, staff):
    plain = TicketFactory(grid=grid, service_item=ServiceItemFactory(can_proxy=False))
    with pytest.raises(ValidationError) as refused:
        _record(plain, staff)
    assert refused.value.message_dict["ticket"] == ["该工单的服务事项不可代办。"]
    assert not ProxyErrand.objects.exists()


def test_the_errand_cannot_come_back_before_it_was_handed_in(ticket, staff):
    errand = _record(ticket, staff)
    with pytest.raises(ValidationError) as refused:
        proxy_errand_returned(errand=errand, by=staff, came_back_at=errand.handed_in_at - datetime.timedelta(hours=1))
    assert refused.value.message_dict["came_back_at"] == ["办回时间不能早于递交时间。"]
    errand.refresh_from_db()
    assert errand.came_back_at is None


def test_one_errand_per_ticket_and_one_return_per_errand(ticket, staff):
    errand = _record(ticket, staff)
    with pytest.raises(ValidationError):
        _record(ticket, staff)
    proxy_errand_returned(errand=errand, by=staff)
    with pytest.raises(ValidationError):
        proxy_errand_returned(errand=errand, by=staff)
    assert ticket.events.filter(kind=PROXY_ERRAND).count() == 2


def test_a_finished_ticket_takes_no_new_errand(ticket, staff):
    ticket_transition(ticket=ticket, action="reject", by=staff, note="不属于本社区")
    with pytest.raises(ValidationError):
        _record(ticket, staff)


def test_outsiders_officials_and_units_cannot_record(ticket, community):
    sibling = OrganizationFactory(level=Level.COMMUNITY, parent=community.parent)
    outsider = UserFactory(role=Role.STAFF, scope=sibling)
    official = UserFactory(role=Role.OFFICIAL, scope=community.parent)
    for user in (outsider, official):
        with pytest.raises(PermissionDenied):
            _record(ticket, user, runner=UserFactory(role=Role.STAFF, scope=community))
    assert not ProxyErrand.objects.exists()


def test_the_runner_must_be_someone_the_recorder_may_see(ticket, staff, community):
    elsewhere = OrganizationFactory(level=Level.COMMUNITY, parent=community.parent)
    stranger = UserFactory(role=Role.STAFF, scope=elsewhere)
    with pytest.raises(ValidationError) as refused:
        _record(ticket, staff, runner=stranger)
    assert "runner" in refused.value.message_dict


# ---- the ticket page --------------------------------------------------------------------------------------------


def _form(**extra) -> dict:
    return {
        "errand-handed_in": "身份证复印件", "errand-handed_in_where": "市民服务中心 3 号窗口",
        "errand-handed_in_at": (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    } | extra  # fmt: skip


def test_the_ticket_page_offers_the_errand_form_only_for_proxy_items(client, ticket, staff, grid):
    client.force_login(staff)
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'id="proxy-errand"' in page and reverse("tickets:proxy-errand", args=[ticket.pk]) in page
    plain = TicketFactory(grid=grid, service_item=ServiceItemFactory(can_proxy=False))
    assert 'id="proxy-errand"' not in client.get(reverse("tickets:detail", args=[plain.pk])).content.decode()


def test_staff_records_and_returns_an_errand_from_the_ticket_page(client, ticket, staff):
    client.force_login(staff)
    url = reverse("tickets:proxy-errand", args=[ticket.pk])
    answer = client.post(url, _form(**{"errand-runner": staff.pk}))
    assert answer.status_code == 302
    errand = ProxyErrand.objects.get(ticket=ticket)
    assert errand.handed_in_where == "市民服务中心 3 号窗口"
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "市民服务中心 3 号窗口" in page and 'data-step="returned"' in page
    back = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    client.post(url, {"errand-came_back_at": back, "errand-note": "已办好"})
    errand.refresh_from_db()
    assert errand.returned and errand.outcome_note == "已办好"


def test_a_refused_errand_shows_the_page_again_with_the_field_error(client, ticket, staff):
    client.force_login(staff)
    url = reverse("tickets:proxy-errand", args=[ticket.pk])
    client.post(url, _form(**{"errand-runner": staff.pk}))
    early = (timezone.localtime() - datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(url, {"errand-came_back_at": early})
    assert answer.status_code == 200
    assert "办回时间不能早于递交时间。" in answer.content.decode()
    assert not ProxyErrand.objects.get(ticket=ticket).returned


def test_an_outsider_posting_an_errand_gets_404(client, ticket, community):
    sibling = OrganizationFactory(level=Level.COMMUNITY, parent=community.parent)
    outsider = UserFactory(role=Role.STAFF, scope=sibling)
    client.force_login(outsider)
    answer = client.post(reverse("tickets:proxy-errand", args=[ticket.pk]), _form(**{"errand-runner": outsider.pk}))
    assert answer.status_code == 404
    assert not ProxyErrand.objects.exists()


def test_the_admin_shows_the_errand_inline_read_only(admin_client, ticket, staff):
    _record(ticket, staff)
    page = admin_client.get(reverse("admin:services_ticket_change", args=[ticket.pk])).content.decode()
    assert 'id="proxy_errand-group"' in page and "身份证复印件、户口本" in page


def test_a_resolved_ticket_still_registers_the_return(ticket, staff):
    errand = _record(ticket, staff)
    for action, extra in (("accept", {}), ("dispatch", {"assignee_user": staff}), ("start", {})):
        ticket = ticket_transition(ticket=ticket, action=action, by=staff, **extra)
    ticket = ticket_transition(ticket=ticket, action="resolve", by=staff, note="已办结")
    assert proxy_errand_returned(errand=errand, by=staff).returned
    assert ticket.status == TicketStatus.RESOLVED


# ---- the API ----------------------------------------------------------------------------------------------------


def _api_record(**extra) -> dict:
    return {
        "handed_in": "身份证复印件", "handed_in_where": "市民服务中心",
        "handed_in_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
    } | extra  # fmt: skip


def test_the_api_records_reads_and_returns_an_errand(ticket, staff):

    api = client_for(staff)
    url = f"/api/v1/tickets/{ticket.pk}/proxy-errand/"
    assert api.get(url).status_code == 404
    created = api.post(url, _api_record(runner=staff.pk), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["handed_in_where"] == "市民服务中心" and created.json()["returned"] is False
    assert api.get(url).json()["id"] == created.json()["id"]
    back = api.post(f"/api/v1/tickets/{ticket.pk}/proxy-errand/returned/", {"note": "已办好"}, format="json")
    assert back.status_code == 200 and back.json()["returned"] is True
    again = api.post(url, _api_record(runner=staff.pk), format="json")
    assert again.status_code == 400


def test_the_api_refuses_errands_to_outsiders_officials_and_non_proxy_items(ticket, staff, community, grid):

    url = f"/api/v1/tickets/{ticket.pk}/proxy-errand/"
    sibling = OrganizationFactory(level=Level.COMMUNITY, parent=community.parent)
    outsider = UserFactory(role=Role.STAFF, scope=sibling)
    assert client_for(outsider).post(url, _api_record(runner=outsider.pk), format="json").status_code == 404
    official = UserFactory(role=Role.OFFICIAL, scope=community.parent)
    assert client_for(official).post(url, _api_record(runner=staff.pk), format="json").status_code == 403
    assert client_for(None).post(url, _api_record(runner=staff.pk), format="json").status_code == 401
    stranger = UserFactory(role=Role.STAFF, scope=sibling)
    assert client_for(staff).post(url, _api_record(runner=stranger.pk), format="json").status_code == 400
    plain = TicketFactory(grid=grid, service_item=ServiceItemFactory(can_proxy=False))
    refused = client_for(staff).post(
        f"/api/v1/tickets/{plain.pk}/proxy-errand/", _api_record(runner=staff.pk), format="json"
    )
    assert refused.status_code == 400 and "ticket" in refused.json()
    assert not ProxyErrand.objects.exists()
