"""The Content-Security-Policy holds in a real browser: the main pages, the admin and Swagger UI raise no violation."""

import pytest
from playwright.sync_api import expect

from orgs.rules import Level
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.grids.factories import BuildingFactory, GridFactory, HouseholdFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory, make_id_number
from tests.residents.factories import ResidentFactory
from tests.services.factories import ServiceItemFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def community_scene():
    community = OrganizationFactory(level=Level.COMMUNITY, name="西津社区")
    grid = GridFactory(community=community, name="西津第一网格")
    household = HouseholdFactory(building=BuildingFactory(grid=grid, name="1栋"), unit="1", room="101")
    resident = ResidentFactory(household=household, name="陈奶奶", id_number=make_id_number(), phone="13955501234")
    ServiceItemFactory(name="路灯照明维修")
    staff = UserFactory(username="xjstaff", scope=community, is_staff=True)
    return grid, household, resident, grid_worker_for(grid, username="xjgrid"), staff


def _watch_csp(page) -> list[str]:
    """Collect every console message and page error that reports a CSP violation."""
    violations: list[str] = []
    def on_console(msg):
        if "Content Security Policy" in msg.text:
            violations.append(f"{page.url}: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: violations.append(str(error)))
    return violations


def _log_in(page, username: str, url: str = "/accounts/login/") -> None:
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("[type=submit]").last.click()
    page.wait_for_load_state("networkidle")


def test_grid_worker_pages_raise_no_csp_violation(phone_page, community_scene):
    grid, household, resident, worker, _staff = community_scene
    violations = _watch_csp(phone_page)
    _log_in(phone_page, worker.username)
    for url in (f"/grid/grids/{grid.pk}/", f"/grid/households/{household.pk}/", f"/grid/residents/{resident.pk}/edit/",
                f"/grid/households/{household.pk}/edit/", "/tickets/report/"):  # fmt: skip
        phone_page.goto(url)
        phone_page.wait_for_load_state("networkidle")
    phone_page.goto("/grid/search/")
    phone_page.fill("#q", "陈")  # htmx live search: the vendored htmx works under the policy
    expect(phone_page.locator("#results")).to_contain_text("陈奶奶")
    phone_page.goto("/tickets/report/")
    phone_page.fill("#item-filter", "照明")  # the item filter moved from an inline script to static/js/portal.js
    expect(phone_page.locator("#id_service_item")).to_have_value(str(ServiceItemFactory._meta.model.objects.get().pk))
    assert violations == []


def test_admin_and_swagger_ui_raise_no_csp_violation(phone_page, community_scene):
    _grid, household, resident, _worker, staff = community_scene
    page = phone_page
    violations = _watch_csp(page)
    _log_in(page, staff.username, "/admin/login/")
    pages = ["/admin/", f"/admin/residents/resident/{resident.pk}/change/", "/admin/residents/resident/",
             f"/admin/grids/household/{household.pk}/change/"]  # fmt: skip
    for url in pages:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("同心圆", timeout=20_000)
    assert violations == []
