"""The official's dashboard in a real browser (Debian's chromium), on the real pages: log in, land on the city, drill
down street → community → grid (the last click on the map), print the month's report as an A4 PDF and download the
xlsx, at 1366 px and 360 px, with no console error and no CSP violation on the way."""

import io
import random
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import Role
from dashboards.refresh import refresh_dashboards
from orgs.rules import Level
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.browser.conftest import PHONE_VIEWPORT, watch_for_problems
from tests.dashboards.world import add_tickets, populate
from tests.grids.factories import GridFactory
from tests.orgs.factories import OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP_VIEWPORT = {"width": 1366, "height": 900}
ORIGIN = (118.90, 30.60)  # south-west corner of the city's grids
CELL = 0.01  # each grid a square of CELL degrees; a community's grids side by side in a row
GRIDS_PER_COMMUNITY = 3


def _square(column: int, row: int) -> dict:
    west, south = ORIGIN[0] + column * CELL, ORIGIN[1] + row * CELL
    ring = [[west, south], [west + CELL, south], [west + CELL, south + CELL], [west, south + CELL], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _centre(column: int, row: int) -> list[float]:
    return [ORIGIN[0] + (column + 0.5) * CELL, ORIGIN[1] + (row + 0.5) * CELL]


@pytest.fixture
def city():
    """宁国市 → 2 streets → 2 communities each → 3 outlined grids each (row = community, column = grid), with
    residents and a year of tickets, refreshed into the summary table."""
    rng = random.Random(12)
    root = OrganizationFactory(level=Level.DISTRICT, name="宁国市委")
    streets, communities, grids = [], [], {}
    for s in range(2):
        street = OrganizationFactory(level=Level.STREET, parent=root, name=f"第{s + 1}街道")
        streets.append(street)
        for c in range(2):
            community = OrganizationFactory(level=Level.COMMUNITY, parent=street, name=f"街{s + 1}社区{c + 1}")
            communities.append(community)
            row = len(communities) - 1
            for column in range(GRIDS_PER_COMMUNITY):
                name = f"社{row + 1}网格{column + 1}"
                grid = GridFactory(community=community, name=name, outline=_square(column, row))
                grids[grid.pk] = (grid, column, row)
    all_grids = [grid for grid, _c, _r in grids.values()]
    populate(rng, all_grids, buildings=2)
    add_tickets(rng, communities, all_grids, 60)
    refresh_dashboards(full=True)
    official = UserFactory(role=Role.OFFICIAL, scope=root, username="guanyuan", first_name="李书记")
    return root, streets, communities, grids, official



@pytest.fixture
def browse(chromium, live_server):
    contexts = []

    def open_(viewport: dict):
        context = chromium.new_context(
            viewport=viewport, locale="zh-CN", base_url=live_server.url, accept_downloads=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        problems = watch_for_problems(page, live_server.url)
        return page, problems

    yield open_
    for context in contexts:
        context.close()


DRAWN_PIXELS = """(selector) => {
  const canvas = document.querySelector(selector);
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
  return drawn;
}"""
MAP_POINT = """([lng, lat]) => echarts.getInstanceByDom(document.getElementById("chart-map"))
  .convertToPixel({seriesIndex: 0}, [lng, lat])"""


def _wait_for_charts(page) -> None:
    page.wait_for_selector("html[data-charts-ready]")
    page.wait_for_timeout(300)  # ECharts draws on the next animation frames


def _assert_drawn(page, with_map: bool = True) -> None:
    selectors = ["#chart-trend canvas", *(["#chart-map canvas"] if with_map else [])]
    keys = page.eval_on_selector_all("#chart-breakdowns [data-chart]", "els => els.map(e => e.dataset.chart)")
    assert "tickets.by_category" in keys and "tickets.top_items" in keys
    selectors += [f'#chart-breakdowns [data-chart="{key}"] canvas' for key in keys]
    for selector in selectors:
        assert page.evaluate(DRAWN_PIXELS, selector) > 500, f"{selector} is blank"


def _assert_fits(page, viewport: dict) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], "the page scrolls sideways"


def _click_grid_on_map(page, column: int, row: int) -> None:
    page.locator("#chart-map").scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    x, y = page.evaluate(MAP_POINT, _centre(column, row))
    box = page.locator("#chart-map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def _log_in(page, official) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", official.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


@pytest.mark.parametrize("viewport", [DESKTOP_VIEWPORT, PHONE_VIEWPORT], ids=["1366px", "360px"])
def test_official_drills_from_the_city_to_a_grid_in_three_clicks(browse, city, viewport, artifacts_dir):
    root, streets, communities, grids, official = city
    width = viewport["width"]
    page, problems = browse(viewport)
    _log_in(page, official)
    page.get_by_role("link", name="数据看板").click()
    page.wait_for_url(f"**/dashboard/org/{root.pk}/")
    _wait_for_charts(page)
    expect(page.locator(".dash-head h1")).to_contain_text("宁国市委")
    expect(page.locator(".dash-head")).to_contain_text("数据更新于")
    assert page.locator(".dash-tiles .tile").count() >= 12
    _assert_drawn(page)
    _assert_fits(page, viewport)
    page.screenshot(path=artifacts_dir / f"dashboard-flow-city-{width}.png", full_page=True)

    page.locator(".dash-children table a", has_text=streets[1].name).click()  # click 1: a street
    page.wait_for_url(f"**/dashboard/org/{streets[1].pk}/**")
    _wait_for_charts(page)
    community = communities[3]
    page.locator(".dash-children table a", has_text=community.name).click()  # click 2: a community
    page.wait_for_url(f"**/dashboard/org/{community.pk}/**")
    _wait_for_charts(page)
    _assert_drawn(page)
    _assert_fits(page, viewport)
    page.screenshot(path=artifacts_dir / f"dashboard-flow-community-{width}.png", full_page=True)

    grid, column, row = next(e for e in grids.values() if e[0].community_id == community.pk and e[1] == 1)
    _click_grid_on_map(page, column, row)  # click 3: a grid on the map
    page.wait_for_url(f"**/dashboard/grid/{grid.pk}/")
    _wait_for_charts(page)
    expect(page.locator(".dash-head h1")).to_contain_text(grid.name)
    expect(page.locator(".dash-head .breadcrumb")).to_contain_text(community.name)
    _assert_fits(page, viewport)
    page.screenshot(path=artifacts_dir / f"dashboard-flow-grid-{width}.png", full_page=True)
    assert problems == []


def test_the_city_prints_as_an_a4_report_and_downloads_as_xlsx(browse, city, artifacts_dir):
    root, streets, _communities, _grids, official = city
    page, problems = browse(DESKTOP_VIEWPORT)
    _log_in(page, official)
    page.goto("/dashboard/")
    _wait_for_charts(page)

    with page.expect_download() as download:
        page.locator("#dash-export").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert "工单" in book.sheetnames and "下级" in book.sheetnames
    assert [r[0] for r in book["下级"].iter_rows(min_row=2, values_only=True)] == [s.name for s in streets]

    page.emulate_media(media="print")
    page.wait_for_timeout(400)
    title = page.locator("#dash-print-title")
    assert title.is_visible() and "宁国市委" in title.inner_text() and "月报" in title.inner_text()
    for hidden in (".topbar", ".month-picker", "#dash-export", ".dash-head .breadcrumb"):
        assert not page.locator(hidden).first.is_visible(), hidden
    _assert_drawn(page)
    pdf_path = artifacts_dir / "dashboard-flow-report.pdf"
    pdf = page.pdf(format="A4", print_background=True, path=pdf_path)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(pdf_path), str(artifacts_dir / "dashboard-flow-report")], check=True
        )
        assert list(artifacts_dir.glob("dashboard-flow-report-*.png"))
    assert problems == []
