"""The issue's "done when", in a real browser on a phone-sized screen: gaps seen, filled, and closed."""

import datetime

import pytest
from playwright.sync_api import expect

from grids.models import Household, Visit
from orgs.rules import Level
from residents.models import CareTag, Resident
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.grids.factories import BuildingFactory, GridFactory, HouseholdFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory, make_id_number
from tests.residents.factories import ResidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def grid_with_two_gaps():
    """A grid whose care household has not been visited and one of whose buildings has no households."""
    # Transactional tests flush the tags the data migration made, so make the one we need here.
    alone, _ = CareTag.objects.get_or_create(code="elderly_alone", defaults={"name": "空巢独居老人"})
    grid = GridFactory(community=OrganizationFactory(level=Level.COMMUNITY, name="西津社区"), name="西津第一网格")
    care_household = HouseholdFactory(building=BuildingFactory(grid=grid, name="1栋"), unit="1", room="101")
    ResidentFactory(household=care_household, name="陈奶奶", tags=[alone])
    BuildingFactory(grid=grid, name="2栋")
    worker = grid_worker_for(grid, username="wanggrid", first_name="王网格")
    return grid, care_household, worker


def _fill_resident(page, *, name: str, id_number: str, phone: str, relation: str) -> None:
    if page.locator("#id_name").count() == 0:
        page.get_by_role("link", name="登记居民").click()
    page.fill("#id_name", name)
    page.fill("#id_id_number", id_number)
    page.fill("#id_phone", phone)
    page.select_option("#id_relation", relation)
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text(name)


def _assert_fits_phone_width(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_grid_worker_fills_the_gaps_of_their_grid_on_a_phone(phone_page, grid_with_two_gaps, artifacts_dir):
    page = phone_page
    grid, care_household, worker = grid_with_two_gaps

    page.goto("/accounts/login/")
    page.fill("#id_username", worker.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("西津第一网格")
    expect(page.locator("#gap-care")).to_contain_text("1栋 1-101")
    expect(page.locator("#gap-buildings")).to_contain_text("2栋")
    _assert_fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "grid_worker_gaps.png"), full_page=True)

    page.locator("#gap-buildings").get_by_role("link", name="添加住户").click()
    page.fill("#id_unit", "2")
    page.fill("#id_room", "202")
    page.select_option("#id_kind", "registered")
    page.fill("#id_phone", "13955667788")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2栋 2-202")

    # A mistyped ID number: the form comes back with the Chinese error and everything typed still there.
    page.get_by_role("link", name="登记居民").click()
    page.fill("#id_name", "王五")
    page.fill("#id_id_number", "342524196208090010")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("[data-field=id_number] .errorlist")).to_contain_text("身份证号校验位不正确")
    expect(page.locator("#id_name")).to_have_value("王五")
    _assert_fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "resident_form_error.png"), full_page=True)
    _fill_resident(
        page,
        name="王五",
        id_number=make_id_number(datetime.date(1962, 8, 9), male=True),
        phone="13955667788",
        relation="head",
    )
    _fill_resident(
        page,
        name="刘梅",
        id_number=make_id_number(datetime.date(1965, 1, 23), male=False),
        phone="13855667788",
        relation="spouse",
    )
    expect(page.locator("#residents li")).to_have_count(2)
    expect(page.locator("#residents")).to_contain_text("139****7788")

    page.locator("nav.tabs").get_by_role("link", name="我的网格").click()
    expect(page.locator("#gap-buildings")).to_have_count(0)
    expect(page.locator("#gap-households")).to_have_count(0)
    page.locator("#gap-care").get_by_role("link", name="记录走访").click()

    expect(page.locator("#id_visited_on")).to_have_value(datetime.date.today().isoformat())
    expect(page.get_by_label("五必访（关爱走访）")).to_be_checked()
    page.fill("#id_notes", "老人身体健康，家中整洁。")
    page.screenshot(path=str(artifacts_dir / "visit_form.png"), full_page=True)
    page.get_by_role("button", name="保存走访").click()

    expect(page.locator("#no-gaps")).to_be_visible()
    expect(page.locator("#gap-care")).to_have_count(0)
    _assert_fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "grid_worker_flow.png"), full_page=True)

    household = Household.objects.get(building__name="2栋")
    assert sorted(Resident.objects.filter(household=household).values_list("name", flat=True)) == ["刘梅", "王五"]
    assert Visit.objects.get().household == care_household


def test_live_search_finds_a_resident_by_pinyin_initials(phone_page, grid_with_two_gaps):
    page = phone_page
    _, _, worker = grid_with_two_gaps
    page.goto("/accounts/login/")
    page.fill("#id_username", worker.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.goto("/grid/search/")
    page.locator("#q").press_sequentially("cnn", delay=50)
    expect(page.locator("#search-results")).to_contain_text("陈奶奶")
    expect(page.locator("#search-results")).not_to_contain_text("13912345678")


def test_grid_worker_reaches_every_part_of_their_day_from_the_nav(phone_page, grid_with_two_gaps, artifacts_dir):
    """Log in on a 360 px phone; my tasks, report and visits due are one tap away in the bottom tab bar."""
    from tests.services.factories import TicketFactory

    page = phone_page
    grid, care_household, worker = grid_with_two_gaps
    ticket = TicketFactory(grid=grid, assignee_user=worker, status="dispatched", description="3栋楼道灯不亮")
    page.goto("/accounts/login/")
    page.fill("#id_username", worker.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()

    tabs = page.locator("nav.tabs")
    for label in ("我的网格", "我的待办", "上报", "搜索", "待走访", "通知"):
        expect(tabs.get_by_role("link", name=label)).to_be_visible()
    expect(page.locator("#open-task-count")).to_have_text("1")
    _assert_fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "grid_worker_nav.png"), full_page=True)

    tabs.get_by_role("link", name="我的待办").click()
    expect(page.locator("main")).to_contain_text(ticket.reference)
    _assert_fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "grid_worker_tasks.png"), full_page=True)

    tabs.get_by_role("link", name="上报").click()
    expect(page.locator("#id_grid")).to_have_value(str(grid.pk))
    _assert_fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "grid_worker_report.png"), full_page=True)

    tabs.get_by_role("link", name="待走访").click()
    expect(page.locator("#visits-due")).to_contain_text("1栋 1-101")
    _assert_fits_phone_width(page)
    page.screenshot(path=str(artifacts_dir / "grid_worker_visits_due.png"), full_page=True)
    page.locator(f"#due-{care_household.pk}").get_by_role("link", name="记录走访").click()
    page.get_by_role("button", name="保存走访").click()
    expect(page.locator("#none-due")).to_be_visible()
