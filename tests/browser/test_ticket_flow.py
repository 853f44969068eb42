"""The issue's "done when" in a real browser: a hotline call filed, dispatched, resolved from a phone, rated."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from orgs.rules import Level
from services.models import Ticket, TicketStatus
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.browser.conftest import PHONE_VIEWPORT
from tests.grids.factories import BuildingFactory, GridFactory, HouseholdFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory
from tests.residents.factories import ResidentFactory
from tests.services.factories import ServiceItemFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT_PHONE = "13955501234"
# The photo's width once it has loaded (0 would mean the scoped photo view did not serve it).
LOADED_WIDTH = (
    "img => img.complete ? img.naturalWidth : new Promise(done => { img.onload = () => done(img.naturalWidth); })"
)


@pytest.fixture
def hotline_cast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    street = OrganizationFactory(level=Level.STREET, name="西津街道")
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street, name="西津社区")
    grid = GridFactory(community=community, name="西津第一网格")
    household = HouseholdFactory(building=BuildingFactory(grid=grid, name="3栋"), unit="1", room="202")
    ResidentFactory(household=household, name="陈奶奶", phone=RESIDENT_PHONE)
    ServiceItemFactory(code="ENV-003", name="楼道照明维修", category="environment")
    ServiceItemFactory(code="CIV-001", name="低保申请", category="civil_affairs")
    staff = UserFactory(username="lishouli", first_name="李受理", scope=community)
    worker = grid_worker_for(grid, username="wanggrid", first_name="王网格")
    return staff, worker


def _log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()


def _action(page, action: str):
    """The form of one next action, unfolded (the first one is open already)."""
    details = page.locator(f"[data-action={action}]")
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    return details


def _fits_phone_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


def test_hotline_ticket_from_intake_to_rating(chromium, live_server, hotline_cast, artifacts_dir, tmp_path):
    staff, worker = hotline_cast
    photo = tmp_path / "fixed.png"
    Image.new("RGB", (32, 24), (250, 200, 40)).save(photo)

    # The hotline desk: a laptop-sized page.
    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url)
    desk.set_default_timeout(10_000)
    page = desk.new_page()
    _log_in(page, staff)
    page.goto("/tickets/new/")
    # Staff without the personal-information permission find a resident by the last four digits the mask shows.
    page.fill("#lookup-q", RESIDENT_PHONE[-4:])
    result = page.locator("#lookup-results label", has_text="陈奶奶")
    expect(result).to_contain_text("139****1234")
    result.locator("input[type=radio]").check()
    page.fill("#item-filter", "照明")
    expect(page.locator("#id_service_item")).to_have_value(re.compile(r"\d+"))
    page.fill("#id_description", "3栋1单元楼道灯不亮，老人夜里出门不便")
    page.screenshot(path=str(artifacts_dir / "ticket_intake.png"), full_page=True)
    page.get_by_role("button", name="保存工单").click()

    expect(page.locator("#reference")).to_have_text(re.compile(r"^NG-\d{8}-\d{4}$"))
    reference = page.locator("#reference").inner_text()
    ticket = Ticket.objects.get(reference=reference)
    assert ticket.grid.name == "西津第一网格" and ticket.reporter.name == "陈奶奶"
    expect(page.locator("#ticket-facts")).to_contain_text("139****1234")
    page.screenshot(path=str(artifacts_dir / "ticket_filed.png"), full_page=True)

    _action(page, "accept").get_by_role("button", name="受理").click()
    expect(page.locator("#ticket-status")).to_have_text("已受理")
    dispatch = _action(page, "dispatch")
    dispatch.locator("#id_dispatch-assignee_user").select_option(str(worker.pk))
    dispatch.locator("#id_dispatch-note").fill("请今天内处理")
    dispatch.get_by_role("button", name="派单").click()
    expect(page.locator("#ticket-status")).to_have_text("已派单")
    expect(page.locator("#ticket-assignee")).to_contain_text("王网格")
    desk.close()

    # The grid worker, on a phone.
    phone = chromium.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN", base_url=live_server.url)
    phone.set_default_timeout(10_000)
    page = phone.new_page()
    _log_in(page, worker)
    page.goto("/tickets/assigned/")
    page.get_by_role("link", name=reference).click()
    expect(page.locator("#reference")).to_have_text(reference)
    assert _fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "ticket_phone_assigned.png"), full_page=True)
    _action(page, "start").get_by_role("button", name="开始办理").click()
    expect(page.locator("#ticket-status")).to_have_text("办理中")
    resolve = _action(page, "resolve")
    resolve.locator("#id_resolve-note").fill("已更换灯泡，楼道恢复照明")
    resolve.locator("#id_resolve-photos").set_input_files(str(photo))
    resolve.get_by_role("button", name="办结").click()
    expect(page.locator("#ticket-status")).to_have_text("已办结待评价")
    expect(page.locator("#timeline img")).to_have_count(1)
    assert page.locator("#timeline img").evaluate(LOADED_WIDTH) == 32
    assert _fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "ticket_phone_resolved.png"), full_page=True)
    phone.close()

    # The resident, from the link in a text message, without logging in.
    ticket.refresh_from_db()
    resident = chromium.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN", base_url=live_server.url)
    page = resident.new_page()
    page.goto(f"/r/{ticket.rating_token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("请为本次服务评价")
    page.get_by_label("5 非常满意").check()
    page.fill("#id_comment", "很及时，谢谢")
    assert _fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "ticket_rating.png"), full_page=True)
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#closed")).to_be_visible()
    resident.close()

    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.owner, ticket.assignee_user) == (
        TicketStatus.CLOSED, 5, staff, worker,
    )  # fmt: skip
    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url)
    page = desk.new_page()
    _log_in(page, staff)
    page.goto(f"/tickets/{ticket.pk}/")
    expect(page.locator("#ticket-status")).to_have_text("已关闭")
    page.screenshot(path=str(artifacts_dir / "ticket_closed.png"), full_page=True)
    desk.close()


def _call_in(page, *, item_filter: str, description: str) -> None:
    page.goto("/tickets/new/")
    page.fill("#lookup-q", RESIDENT_PHONE[-4:])
    page.locator("#lookup-results label", has_text="陈奶奶").locator("input[type=radio]").check()
    page.fill("#item-filter", item_filter)
    expect(page.locator("#id_service_item")).to_have_value(re.compile(r"\d+"))
    page.fill("#id_description", description)


def test_hotline_sees_the_duplicate_and_accepts_and_dispatches_in_one_step(
    chromium, live_server, hotline_cast, artifacts_dir
):
    staff, worker = hotline_cast
    desk = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", base_url=live_server.url)
    desk.set_default_timeout(10_000)
    page = desk.new_page()
    _log_in(page, staff)

    # The first call is filed once.
    _call_in(page, item_filter="照明", description="3栋楼道灯不亮")
    page.get_by_role("button", name="保存工单").click()
    first = page.locator("#reference").inner_text()

    # The same caller rings again about the same thing: the desk sees the ticket on file and adds the call to it.
    _call_in(page, item_filter="照明", description="楼道灯还是不亮，第二次来电")
    page.get_by_role("button", name="保存工单").click()
    expect(page.locator("#duplicates")).to_contain_text(first)
    page.screenshot(path=str(artifacts_dir / "ticket_intake_duplicate.png"), full_page=True)
    page.get_by_role("button", name=f"这是同一件事：追加到 {first} 的记录").click()
    expect(page.locator("#reference")).to_have_text(first)
    expect(page.locator("#timeline [data-kind=repeat_call]")).to_contain_text("第二次来电")
    assert Ticket.objects.count() == 1

    # Another matter: accepted and dispatched in one step to the grid worker the form suggests. Picking the caller
    # already refreshed the form (htmx): the grid worker on duty is suggested and the open ticket shown, before
    # any submit.
    _call_in(page, item_filter="低保", description="想咨询低保申请")
    expect(page.locator("#id_assignee_user option", has_text="建议：")).to_contain_text("王网格")
    expect(page.locator("#duplicates")).to_contain_text(first)
    expect(page.locator("#duplicates input[name=new_anyway]")).to_have_count(0)
    page.get_by_role("button", name="受理并派单").click()
    expect(page.locator("#duplicates")).to_contain_text(first)  # the caller has a ticket open: the desk is told
    suggestion = page.locator("#id_assignee_user option", has_text="建议：")
    expect(suggestion).to_contain_text("王网格")
    page.select_option("#id_assignee_user", value=suggestion.get_attribute("value"))
    page.screenshot(path=str(artifacts_dir / "ticket_intake_suggestion.png"), full_page=True)
    page.get_by_role("button", name="受理并派单").click()
    expect(page.locator("#ticket-status")).to_have_text("已派单")
    expect(page.locator("#ticket-assignee")).to_contain_text("王网格")
    page.screenshot(path=str(artifacts_dir / "ticket_accepted_and_dispatched.png"), full_page=True)
    second = Ticket.objects.get(reference=page.locator("#reference").inner_text())
    assert (second.status, second.owner, second.assignee_user) == (TicketStatus.DISPATCHED, staff, worker)
    desk.close()
