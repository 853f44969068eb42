"""A grid worker on a phone: a mediation case from a visit, a session, the agreement, and the page to sign."""

import pytest
from playwright.sync_api import expect

from grids.models import VisitKind
from mediation.models import CaseStatus, DisputeCase
from orgs.rules import Level
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.grids.factories import BuildingFactory, GridFactory, HouseholdFactory, VisitFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory
from tests.residents.factories import ResidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_grid_worker_mediates_a_dispute_from_a_visit(phone_page, artifacts_dir):
    grid = GridFactory(community=OrganizationFactory(level=Level.COMMUNITY, name="西津社区"), name="西津第一网格")
    household = HouseholdFactory(building=BuildingFactory(grid=grid, name="3栋"), unit="1", room="301")
    household.head = ResidentFactory(household=household, name="赵大爷", phone="13912345678")
    household.save()
    worker = grid_worker_for(grid, username="wanggrid", first_name="王网格")
    VisitFactory(household=household, visitor=worker, kind=VisitKind.MEDIATION, notes="楼上 401 漏水，与赵大爷争吵。")
    page = phone_page

    page.goto("/accounts/login/")
    page.fill("#id_username", worker.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"/grid/households/{household.pk}/")
    page.get_by_role("link", name="发起调解").click()

    expect(page.locator("#source")).to_contain_text("3栋 1-301")
    expect(page.locator("#id_summary")).to_have_value("楼上 401 漏水，与赵大爷争吵。")
    page.locator("#id_party-0-resident").select_option(label="赵大爷")
    page.fill("#id_party-1-name", "钱阿姨")
    page.fill("#id_party-1-phone", "13800001111")
    _fits_phone(page)
    page.screenshot(path=str(artifacts_dir / "mediation_open.png"), full_page=True)
    page.get_by_role("button", name="受理").click()

    expect(page.locator("#case-status")).to_have_text("已受理")
    expect(page.locator("#parties")).to_contain_text("138****1111")
    page.get_by_role("link", name="记录调解", exact=True).click()
    page.fill("#id_place", "社区调解室")
    page.fill("#id_notes", "双方到场陈述，钱阿姨同意维修。")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#case-status")).to_have_text("调解中")

    page.get_by_role("link", name="记录调解结果").click()
    page.get_by_label("达成调解协议").check()
    page.fill("#id_text", "一、钱阿姨于七日内修好 401 卫生间防水。\n二、维修期间赵大爷家损失由钱阿姨承担 300 元。")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#case-status")).to_have_text("调解成功")
    _fits_phone(page)
    page.screenshot(path=str(artifacts_dir / "mediation_case.png"), full_page=True)

    page.locator("#print-agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("人民调解协议书")
    expect(page.locator("#signatures .signature")).to_have_count(4)
    expect(page.locator("#agreement-parties")).to_contain_text("139****5678")
    _fits_phone(page)
    page.screenshot(path=str(artifacts_dir / "mediation_agreement_phone.png"), full_page=True)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=str(artifacts_dir / "mediation_agreement_print.png"), full_page=True)
    page.pdf(path=str(artifacts_dir / "mediation_agreement.pdf"), format="A4")

    case = DisputeCase.objects.get()
    assert case.status == CaseStatus.AGREED and case.source_visit.household == household
