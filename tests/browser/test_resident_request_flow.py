"""Issue 11's "done when" in a real browser at 360 px: a resident opens the community's public page, finds the item
in the catalogue, files a request, follows it by the link and, once staff have resolved it, rates it."""

import re
from collections import defaultdict

import pytest
from playwright.sync_api import expect

from orgs.rules import Level
from services.demo.catalogue import CATALOGUE, CODE_PREFIX
from services.models import Channel, ServiceItem, Ticket, TicketStatus
from services.tickets.services import ticket_transition
from tests.accounts.factories import UserFactory
from tests.browser.conftest import PHONE_VIEWPORT
from tests.grids.factories import BuildingFactory, GridFactory
from tests.orgs.factories import OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13955501234"


def _demo_catalogue() -> None:
    """The demo city's 56 items, so the page is measured at its real length."""
    numbers: dict[str, int] = defaultdict(int)
    items = []
    for name, category, level, response, resolution, proxy, requirements, materials in CATALOGUE:
        numbers[category] += 1
        items.append(
            ServiceItem(
                code=f"NG-{CODE_PREFIX[category]}-{numbers[category]:03d}", name=name, category=category,
                handling_level=level, response_hours=response, resolution_hours=resolution, can_proxy=proxy,
                requirements=requirements, materials=materials,
            )
        )  # fmt: skip
    ServiceItem.objects.bulk_create(items)


@pytest.fixture
def public_cast():
    street = OrganizationFactory(level=Level.STREET, name="西津街道")
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street, name="西津社区", code="XJ-001")
    BuildingFactory(grid=GridFactory(community=community, name="西津第一网格"), name="3栋")
    _demo_catalogue()
    staff = UserFactory(username="lishouli", first_name="李受理", scope=community)
    return community, staff


def _fits_phone_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


def test_resident_files_from_the_community_page_and_follows_it_to_the_rating(phone_page, public_cast, artifacts_dir):
    community, staff = public_cast
    page = phone_page
    page.goto("/accounts/login/")
    page.locator("#resident-services").click()
    page.get_by_role("link", name="西津社区").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("西津社区")
    assert _fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "public_community_home.png"), full_page=True)

    page.locator("[data-page=catalogue] a").click()
    expect(page.locator("#category-index a").first).to_be_visible()
    assert _fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "public_catalogue_top.png"))
    full_height = page.evaluate("document.documentElement.scrollHeight")
    page.fill("#id_q", "路灯")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("#search-summary")).to_contain_text("路灯")
    found = page.locator("details.guide")
    assert found.count() >= 1
    assert "工作小时内办结" not in page.locator("body").inner_text()  # every demo limit is whole days
    page.screenshot(path=str(artifacts_dir / "public_catalogue_search.png"), full_page=True)
    print(f"catalogue at 360 px: {full_height} px for 56 items; search 路灯: {found.count()} items")

    found.first.get_by_role("link", name="在线申报此事项").click()
    expect(page.locator("#id_service_item")).not_to_have_value("")
    page.fill("#id_reporter_name", "陈奶奶")
    page.fill("#id_reporter_phone", "139 5550 1234")
    page.fill("#id_description", "3栋1单元楼道灯不亮，老人夜里出门不便")
    page.fill("#id_address", "西津小区")
    page.select_option("#id_building", label="3栋")
    assert _fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "public_request_form.png"), full_page=True)
    page.get_by_role("button", name="提交").click()

    expect(page.locator("#follow-reference")).to_have_text(re.compile(r"^NG-\d{8}-\d{4}$"))
    expect(page.locator("#follow-status")).to_have_text("已登记")
    follow_url = page.url
    ticket = Ticket.objects.get(reference=page.locator("#follow-reference").inner_text())
    assert (ticket.channel, ticket.status, ticket.reporter_phone, ticket.community) == (
        Channel.WEB, TicketStatus.REPORTED, PHONE, community,
    )  # fmt: skip
    assert "陈奶奶" not in page.content() and PHONE not in page.content()
    assert _fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "public_follow_reported.png"), full_page=True)

    # Staff take it from the intake queue like a call, and resolve it.
    for action, params in (("accept", {}), ("dispatch", {"assignee_department": "物业服务中心"}), ("start", {})):
        ticket = ticket_transition(ticket=ticket, action=action, by=staff, **params)
    ticket_transition(ticket=ticket, action="resolve", by=staff, note="李受理：已更换灯泡")

    page.goto(follow_url)
    expect(page.locator("#follow-status")).to_have_text("已办结待评价")
    expect(page.locator("#follow-timeline li")).to_have_count(5)
    assert "李受理" not in page.content() and "物业服务中心" not in page.content()
    page.screenshot(path=str(artifacts_dir / "public_follow_resolved.png"), full_page=True)
    page.locator("#rate-link").click()
    page.get_by_label("5 非常满意").check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#closed")).to_be_visible()

    page.goto(follow_url)
    expect(page.locator("#follow-status")).to_have_text("已关闭")
    expect(page.locator("#rated")).to_contain_text("5 分")
    page.screenshot(path=str(artifacts_dir / "public_follow_rated.png"), full_page=True)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating) == (TicketStatus.CLOSED, 5)
