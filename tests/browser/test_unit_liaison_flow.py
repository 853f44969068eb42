"""The issue's browser test: a unit liaison claims a joint-meeting item on a phone and reports progress on it."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cobuilding.models import AgendaItem, ItemStatus
from orgs.rules import Level
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.browser.conftest import ARTIFACTS
from tests.cobuilding.factories import (
    AgendaItemFactory,
    AgreementFactory,
    JointMeetingFactory,
    ResidentUnitFactory,
    liaison_for,
)
from tests.orgs.factories import OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP_VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture
def meeting_with_items():
    unit = ResidentUnitFactory(name="宁国市供电公司")
    community = OrganizationFactory(level=Level.COMMUNITY, name="西津社区", parent=unit.registered_with)
    AgreementFactory(unit=unit, community=community, title="供电公司共建协议")
    meeting = JointMeetingFactory(community=community, attending_units=[unit], place="西津社区党群服务中心")
    earlier = AgendaItemFactory(meeting=JointMeetingFactory(community=community), title="路灯维修")
    AgendaItemFactory(meeting=meeting, title="路灯维修", carried_from=earlier)
    item = AgendaItemFactory(meeting=meeting, title="老旧小区线路改造", description="3 栋楼道线路老化")
    liaison = liaison_for(unit, username="gongdian", first_name="周联络")
    return meeting, item, liaison


def _log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()


def _claim_and_report(page, item, due_on: datetime.date) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text("宁国市供电公司")
    page.screenshot(path=str(ARTIFACTS / "unit_liaison_unit_page.png"), full_page=True)
    page.get_by_role("link", name="联席会议").first.click()
    page.get_by_role("link", name="西津社区").first.click()
    card = page.locator(f"#item-{item.pk}")
    expect(page.locator("#items")).to_contain_text("上次会议转入")

    card.locator("input[name=due_on]").fill(due_on.isoformat())
    card.get_by_role("button", name="认领").click()
    expect(card.locator(".status")).to_have_text("已认领")
    expect(card).to_contain_text("认领单位：宁国市供电公司")

    card.locator("textarea[name=note]").fill("已勘察现场，下周施工。")
    card.get_by_role("button", name="填报进展").click()
    expect(card.locator(".status")).to_have_text("办理中")
    expect(card).to_contain_text("已勘察现场，下周施工。")


def test_unit_liaison_claims_a_meeting_item_and_records_progress_on_a_phone(
    phone_page, meeting_with_items, artifacts_dir
):
    page = phone_page
    _, item, liaison = meeting_with_items
    due_on = timezone.localdate() + datetime.timedelta(days=14)
    _log_in(page, liaison)

    _claim_and_report(page, item, due_on)

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts_dir / "unit_liaison_flow.png"), full_page=True)
    item = AgendaItem.objects.get(pk=item.pk)
    assert (item.status, item.claimed_by.name, item.due_on) == (ItemStatus.IN_PROGRESS, "宁国市供电公司", due_on)


def test_unit_liaison_flow_on_a_desktop(chromium, live_server, meeting_with_items, artifacts_dir):
    context = chromium.new_context(viewport=DESKTOP_VIEWPORT, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        _, item, liaison = meeting_with_items
        _log_in(page, liaison)
        _claim_and_report(page, item, timezone.localdate() + datetime.timedelta(days=3))
        page.screenshot(path=str(artifacts_dir / "unit_liaison_flow_desktop.png"), full_page=True)
    finally:
        context.close()
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.IN_PROGRESS
