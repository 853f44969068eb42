"""Issue 11, residents' first contact: the community's public home, the catalogue's index and search, limits in
working days, the web request form (channel web, masked phone, rate-limited) and the follow link to the rating."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from core.public_pages import public_pages_for, register_public_page
from orgs.rules import Level
from services.models import Channel, Ticket, TicketStatus
from services.tickets.calendar import working_time_label
from services.tickets.follow import follow_token
from services.tickets.services import ticket_transition
from tests.accounts.factories import UserFactory
from tests.grids.factories import BuildingFactory, GridFactory
from tests.orgs.factories import OrganizationFactory
from tests.services.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db

PHONE = "13955501234"
MASKED = "139****1234"


@pytest.fixture
def street():
    return OrganizationFactory(level=Level.STREET)


@pytest.fixture
def community(street):
    return OrganizationFactory(level=Level.COMMUNITY, parent=street, name="西津社区", code="XJ-001")


@pytest.fixture
def sibling(street):
    return OrganizationFactory(level=Level.COMMUNITY, parent=street, name="河沥社区", code="HL-001")


@pytest.fixture
def staff(community):
    return UserFactory(role=Role.STAFF, scope=community, first_name="李受理")


@pytest.fixture
def item():
    return ServiceItemFactory(
        code="ENV-003", name="楼道照明维修", category="environment", response_hours=4, resolution_hours=35
    )


def request_url(community) -> str:
    return reverse("community-request", args=[community.code])


def filing(item, **overrides) -> dict:
    return {
        "reporter_name": "陈奶奶", "reporter_phone": PHONE, "service_item": item.pk,
        "description": "3栋1单元楼道灯不亮", "address": "西津小区3栋1单元", **overrides,
    }  # fmt: skip


def file_request(client, community, item, **overrides) -> Ticket:
    response = client.post(request_url(community), filing(item, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Ticket.objects.get()


# ---- working days ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "label"),
    [(7, "1 个工作日"), (35, "5 个工作日"), (140, "20 个工作日"), (4, "4 个工作小时"), (10, "10 个工作小时")],
)
def test_limits_read_in_working_days_when_whole_days(hours, label):
    assert working_time_label(hours) == label


# ---- the catalogue -----------------------------------------------------------------------------------------------


def test_catalogue_has_a_category_index_with_counts_and_days(client, community, item):
    ServiceItemFactory(code="CIV-001", name="低保申请", category="civil_affairs", resolution_hours=140)
    ServiceItemFactory(code="CIV-002", name="临时救助", category="civil_affairs", resolution_hours=14)
    html = client.get(reverse("catalogue", args=[community.code])).content.decode()
    assert 'href="#cat-civil_affairs"' in html and 'id="cat-civil_affairs"' in html
    assert '民政服务 <span class="count">2</span>' in html and '环境卫生 <span class="count">1</span>' in html
    assert "20 个工作日内办结" in html and "5 个工作日内办结" in html and "4 个工作小时内响应" in html
    assert "工作小时内办结" not in html.replace("4 个工作小时内响应", "")
    assert reverse("community-home", args=[community.code]) in html


@pytest.mark.parametrize(("query", "shown", "hidden"), [("照明", "ENV-003", "CIV-001"), ("civ-", "CIV-001", "ENV-003"),
                                                         ("户口簿", "CIV-001", "ENV-003")])  # fmt: skip
def test_catalogue_search_filters_by_name_code_and_description(client, community, item, query, shown, hidden):
    ServiceItemFactory(code="CIV-001", name="低保申请", category="civil_affairs", materials="户口簿")
    html = client.get(reverse("catalogue", args=[community.code]), {"q": query}).content.decode()
    assert f'data-item="{shown}"' in html and f'data-item="{hidden}"' not in html


def test_catalogue_search_with_no_match_or_an_overlong_term_is_a_page_not_an_error(client, community, item):
    none = client.get(reverse("catalogue", args=[community.code]), {"q": "不存在的事项"})
    assert none.status_code == 200 and "没有找到相关事项" in none.content.decode()
    overlong = client.get(reverse("catalogue", args=[community.code]), {"q": "x" * 500})
    assert overlong.status_code == 200 and 'data-item="ENV-003"' in overlong.content.decode()


# ---- the community home --------------------------------------------------------------------------------------------


def test_community_home_links_catalogue_wall_and_request_form_without_login(client, community):
    response = client.get(reverse("community-home", args=[community.code]))
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("catalogue", "wish-wall", "community-request"):
        assert f'href="{reverse(name, args=[community.code])}"' in html


def test_a_later_app_adds_its_public_page_to_every_community_home(client, community):
    register_public_page("社区活动", "community-request", order=5)  # any URL taking the code stands in for a new page
    try:
        labels = [page["label"] for page in public_pages_for(community)]
        assert labels[0] == "社区活动"
    finally:
        from core import public_pages

        public_pages.public_pages.unregister("community-request")


def test_community_home_is_404_for_streets_inactive_and_unknown_codes(client, street, community):
    inactive = OrganizationFactory(level=Level.COMMUNITY, parent=street, is_active=False)
    for code in (street.code, inactive.code, "NOPE"):
        assert client.get(reverse("community-home", args=[code])).status_code == 404
        assert client.get(request_url(type("C", (), {"code": code}))).status_code == 404


def test_wish_wall_links_back_and_login_page_leads_to_the_communities(client, community):
    wall = client.get(reverse("wish-wall", args=[community.code])).content.decode()
    assert reverse("community-home", args=[community.code]) in wall
    login = client.get(reverse("login")).content.decode()
    assert reverse("community-directory") in login
    directory = client.get(reverse("community-directory")).content.decode()
    assert reverse("community-home", args=[community.code]) in directory


# ---- filing a request ----------------------------------------------------------------------------------------------


def test_filing_creates_a_reported_web_ticket_in_the_community(client, community, item):
    ticket = file_request(client, community, item)
    assert (ticket.channel, ticket.status, ticket.community) == (Channel.WEB, TicketStatus.REPORTED, community)
    assert (ticket.reporter_name, ticket.reporter_phone, ticket.created_by) == ("陈奶奶", PHONE, None)
    assert ticket.address == "西津小区3栋1单元" and ticket.events.get().kind == "reported"


def test_filing_at_a_building_places_the_ticket_on_its_grid(client, community, item):
    building = BuildingFactory(grid=GridFactory(community=community), name="3栋")
    ticket = file_request(client, community, item, address="", building=building.pk)
    assert (ticket.building, ticket.grid) == (building, building.grid)


def test_the_resident_is_sent_to_the_follow_page_with_the_reference(client, community, item):
    response = client.post(request_url(community), filing(item), follow=True)
    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == reverse("ticket-follow", args=[follow_token(ticket)])
    html = response.content.decode()
    assert ticket.reference in html and "楼道照明维修" in html
    assert "陈奶奶" not in html and PHONE not in html and MASKED not in html


def test_the_phone_is_masked_in_the_staff_queue_and_the_api(client, community, item, staff):
    ticket = file_request(Client(), community, item)
    client.force_login(staff)
    queue = client.get(reverse("tickets:queue")).content.decode()
    assert ticket.reference in queue and PHONE not in queue
    body = client.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert body["reporter_phone"] == MASKED and body["channel"] == Channel.WEB


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reporter_phone": "12345"}, "reporter_phone", "请输入有效的电话号码"),
        ({"reporter_name": ""}, "reporter_name", "请填写您的姓名"),
        ({"service_item": ""}, "service_item", "请选择服务事项"),
        ({"service_item": "999999"}, "service_item", "请选择服务事项"),
        ({"service_item": "abc"}, "service_item", "请选择服务事项"),
        ({"description": "x" * 2001}, "description", "2000"),
        ({"address": ""}, "address", "请填写地点"),
        ({"reporter_name": "名" * 51}, "reporter_name", "50"),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_nothing_is_filed(client, community, item, overrides, field, message):
    response = client.post(request_url(community), filing(item, **overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-field="{field}"' in html and message in html and "has-error" in html
    assert not Ticket.objects.exists()


def test_another_communitys_item_gets_the_same_error_as_none(client, community, sibling, item):
    own = ServiceItemFactory(code="HL-ONLY", name="河沥专属", organization=sibling)
    html = client.post(request_url(community), filing(item, service_item=own.pk)).content.decode()
    assert "请选择服务事项" in html and "河沥专属" not in html and not Ticket.objects.exists()


def test_another_communitys_building_is_refused(client, community, sibling, item):
    building = BuildingFactory(grid=GridFactory(community=sibling))
    html = client.post(request_url(community), filing(item, building=building.pk)).content.decode()
    assert "请选择本社区的楼栋" in html and not Ticket.objects.exists()


def test_nul_in_a_filing_is_a_400_never_a_500(client, community, item):
    response = client.post(request_url(community), filing(item, description="灯\x00不亮"))
    assert response.status_code == 400 and not Ticket.objects.exists()


def test_filing_is_rate_limited_per_address(client, settings, community, item):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_request": "2/hour"}
    for _ in range(2):
        assert client.post(request_url(community), filing(item)).status_code == 302
    response = client.post(request_url(community), filing(item))
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert Ticket.objects.count() == 2
    assert client.get(request_url(community)).status_code == 200  # reading the form is not a filing


# ---- following it to the rating ------------------------------------------------------------------------------------


def test_follow_page_shows_steps_without_staff_names_notes_or_phone(client, community, item, staff):
    ticket = file_request(client, community, item)
    ticket = ticket_transition(ticket=ticket, action="accept", by=staff)
    ticket = ticket_transition(ticket=ticket, action="dispatch", by=staff, assignee_department="城管科王科长")
    ticket = ticket_transition(ticket=ticket, action="start", by=staff)
    ticket = ticket_transition(ticket=ticket, action="resolve", by=staff, note="李受理已联系陈奶奶更换灯泡")
    html = client.get(reverse("ticket-follow", args=[follow_token(ticket)])).content.decode()
    for step in ("诉求已提交", "受理", "派单", "开始办理", "办结", "已办结待评价"):
        assert step in html
    for hidden in ("李受理", "王科长", "陈奶奶", PHONE, MASKED, "更换灯泡", "西津小区3栋"):
        assert hidden not in html
    rate_url = reverse("ticket-rate", args=[ticket.rating_token])
    assert rate_url in html
    client.post(rate_url, {"rating": "5"})
    html = client.get(reverse("ticket-follow", args=[follow_token(ticket)])).content.decode()
    assert rate_url not in html and "您已评价：5 分" in html and "已关闭" in html


def test_follow_page_offers_no_rating_before_resolution(client, community, item):
    ticket = file_request(client, community, item)
    html = client.get(reverse("ticket-follow", args=[follow_token(ticket)])).content.decode()
    assert "已登记" in html and ticket.rating_token not in html


@pytest.mark.parametrize("token", ["guess", "MQ:forged", "x" * 500])
def test_a_forged_or_truncated_follow_token_is_a_404(client, community, item, token):
    ticket = file_request(client, community, item)
    assert client.get(reverse("ticket-follow", args=[token])).status_code == 404
    assert client.get(reverse("ticket-follow", args=[follow_token(ticket)[:-2]])).status_code == 404
