"""The dashboard's charts and grid map in a real browser (Debian's chromium), under the site's strict CSP.

The dashboard pages themselves belong to the dashboards engine; this test serves a page of its own (a test URLconf)
that renders the charts partial with a sample payload exactly as the contract has the engine's pages do it:
{{ chart_data|json_script:"dashboard-data" }} then {% include "dashboards/partials/charts.html" %}.
"""

import pytest
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from tests.browser.conftest import PHONE_VIEWPORT, watch_for_problems

pytestmark = [pytest.mark.browser, pytest.mark.urls(__name__)]

DESKTOP_VIEWPORT = {"width": 1366, "height": 900}
MONTHS = [f"2025-{m:02d}" for m in (12,)] + [f"2026-{m:02d}" for m in range(1, 12)]
METRICS = [("coverage.gaps", "覆盖缺口"), ("tickets.open", "在办工单"), ("tickets.overdue", "超时工单"),
           ("visits.this_month", "本月走访")]  # fmt: skip
ORIGIN = (118.95, 30.60)  # south-west corner of the sample grids, near Ningguo
CELL = 0.02


def _cell(column: int, row: int) -> dict:
    west, south = ORIGIN[0] + column * CELL, ORIGIN[1] + row * CELL
    ring = [[west, south], [west + CELL, south], [west + CELL, south + CELL], [west, south + CELL], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _grid_feature(number: int, column: int, row: int) -> dict:
    values = {"coverage.gaps": number % 5, "tickets.open": number * 2, "tickets.overdue": number % 3,
              "visits.this_month": 10 + number}  # fmt: skip
    properties = {"id": 100 + number, "name": f"第{number}网格", "url": f"/test-dashboard/grid/{100 + number}/",
                  "values": values}  # fmt: skip
    return {"type": "Feature", "geometry": _cell(column, row), "properties": properties}


def _items(**values: int) -> list[dict]:
    return [{"label": label, "value": value} for label, value in values.items()]


def sample_payload() -> dict:
    features = [_grid_feature(column + 3 * row + 1, column, row) for row in range(2) for column in range(3)]
    return {
        "node": {"kind": "org", "id": 12, "name": "西津社区", "level_label": "社区"},
        "month": "2026-11",
        "computed_at": "2026-11-30T08:00:00+08:00",
        "trend": {"months": MONTHS, "series": [
            {"key": "tickets.new", "label": "新增工单", "values": [3, 5, 4, 8, 6, 9, 7, 12, 10, 9, 11, 14]},
            {"key": "tickets.closed", "label": "办结工单", "values": [2, 5, 3, 7, 6, 8, 8, 10, 11, 8, 10, 13]},
            {"key": "visits.done", "label": "走访次数", "values": [20, 18, 25, 22, None, 30, 28, 26, 31, 29, 33, 35]},
        ]},
        "charts": [
            {"key": "tickets.by_status", "label": "工单状态", "kind": "pie",
             "items": _items(受理=3, 办理中=7, 已办结=21)},
            {"key": "tickets.by_channel", "label": "工单来源", "kind": "bar",
             "items": _items(网格员上报=12, 热线12345=9, 居民网上提交=4)},
            {"key": "satisfaction", "label": "满意度", "kind": "bar",
             "items": _items(满意=18, 基本满意=4, 不满意=1)},
        ],
        "map": {
            "metrics": [{"key": key, "label": label} for key, label in METRICS],
            "default_metric": "tickets.open",
            "features": {"type": "FeatureCollection", "features": features},
        },
    }  # fmt: skip


PAGE = """{% extends "base.html" %}{% block content %}
<div class="dashboard">
  <div class="dash-head"><h1>{{ chart_data.node.name }}</h1><p class="muted">2026-11</p></div>
  <ul class="dash-tiles">
    {% for n in tiles %}<li class="tile"><b>{{ n }}</b><span>指标{{ n }}</span></li>{% endfor %}
  </ul>
  <section class="dash-section"><h2>下级单位</h2><div class="table-scroll"><table>
    <thead><tr><th>名称</th>{% for n in tiles %}<th>指标{{ n }}</th>{% endfor %}</tr></thead>
    <tbody>{% for row in tiles %}<tr><td>第{{ row }}网格</td>{% for n in tiles %}<td>{{ n }}</td>{% endfor %}</tr>
    {% endfor %}</tbody></table></div></section>
  {{ chart_data|json_script:"dashboard-data" }}
  {% include "dashboards/partials/charts.html" %}
</div>{% endblock %}"""


def dashboard_page(request):
    context = {"chart_data": sample_payload(), "tiles": range(1, 9)}
    return HttpResponse(engines["django"].from_string(PAGE).render(context, request))


def grid_page(request, grid_id):
    return HttpResponse(f"grid {grid_id}")


urlpatterns = [
    path("test-dashboard/", dashboard_page),
    path("test-dashboard/grid/<int:grid_id>/", grid_page),
    *site_urlpatterns,
]

DRAWN_PIXELS = """(selector) => {
  const canvas = document.querySelector(selector);
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
  return drawn;
}"""
MAP_POINT = """([lng, lat]) => {
  const chart = echarts.getInstanceByDom(document.getElementById("chart-map"));
  return chart.convertToPixel({seriesIndex: 0}, [lng, lat]);
}"""
LEGEND_ALL = """() => echarts.getInstanceByDom(document.getElementById("chart-trend"))
  .getModel().getLocaleModel().get(["legend", "selector", "all"])"""



@pytest.fixture
def open_dashboard(chromium, live_server, artifacts_dir):
    contexts = []

    def open_(viewport: dict, locale: str = "zh-CN"):
        context = chromium.new_context(viewport=viewport, locale=locale, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        problems = watch_for_problems(page, live_server.url)
        page.goto("/test-dashboard/")
        page.wait_for_selector("html[data-charts-ready]")
        return page, problems

    yield open_
    for context in contexts:
        context.close()


def _assert_charts_drawn(page) -> None:
    selectors = ["#chart-trend canvas", "#chart-map canvas"]
    selectors += [f'#chart-breakdowns [data-chart="{c["key"]}"] canvas' for c in sample_payload()["charts"]]
    for selector in selectors:
        assert page.evaluate(DRAWN_PIXELS, selector) > 1000, f"{selector} is blank"


def _grid_centre(page, column: int, row: int) -> tuple[float, float]:
    centre = [ORIGIN[0] + (column + 0.5) * CELL, ORIGIN[1] + (row + 0.5) * CELL]
    x, y = page.evaluate(MAP_POINT, centre)
    box = page.locator("#chart-map").bounding_box()
    return box["x"] + x, box["y"] + y


def _click_grid(page, column: int, row: int) -> None:
    page.mouse.click(*_grid_centre(page, column, row))


def _hover_the_trend_and_a_grid(page) -> None:
    """Tooltips show on hover: the CSP would refuse the style attributes of ECharts' HTML tooltips."""
    page.locator("#chart-trend").hover()
    page.wait_for_timeout(200)
    page.locator("#chart-map").scroll_into_view_if_needed()
    page.mouse.move(*_grid_centre(page, 0, 0))
    page.wait_for_timeout(300)


@pytest.mark.parametrize("viewport", [DESKTOP_VIEWPORT, PHONE_VIEWPORT], ids=["1366px", "360px"])
def test_charts_and_map_are_drawn_under_the_csp_and_a_grid_click_opens_its_page(
    open_dashboard, viewport, artifacts_dir
):
    page, problems = open_dashboard(viewport)
    _assert_charts_drawn(page)
    options = page.locator("#map-metric option")
    assert options.all_inner_texts() == [label for _key, label in METRICS]
    assert page.locator("#map-metric").input_value() == "tickets.open"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], "the page scrolls sideways"
    page.locator("#chart-map").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / f"dashboard-charts-{viewport['width']}.png", full_page=True)
    page.select_option("#map-metric", "coverage.gaps")
    page.wait_for_timeout(300)
    _assert_charts_drawn(page)
    before = page.locator("#chart-trend canvas").bounding_box()["width"]
    page.set_viewport_size({"width": 700, "height": viewport["height"]})
    page.wait_for_timeout(400)
    assert abs(page.locator("#chart-trend canvas").bounding_box()["width"] - before) > 50, "charts follow the window"
    page.set_viewport_size(viewport)
    page.wait_for_timeout(300)
    _hover_the_trend_and_a_grid(page)
    _click_grid(page, column=1, row=1)  # grid number 5
    page.wait_for_url("**/test-dashboard/grid/105/")
    assert problems == []


def test_the_print_view_is_an_a4_report_with_its_charts(open_dashboard, artifacts_dir):
    page, problems = open_dashboard(DESKTOP_VIEWPORT)
    page.emulate_media(media="print")
    page.wait_for_timeout(300)
    assert page.locator("#dash-print-title").is_visible()
    assert "西津社区" in page.locator("#dash-print-title").inner_text()
    assert "2026-11-30 08:00" in page.locator("#dash-print-title").inner_text()
    assert not page.locator(".topbar").is_visible()
    assert not page.locator("#map-metric").is_visible()
    _assert_charts_drawn(page)
    page.screenshot(path=artifacts_dir / "dashboard-print-media.png", full_page=True)
    pdf = page.pdf(format="A4", print_background=True, path=artifacts_dir / "dashboard-report.pdf")
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type/Page/") >= 1 or b"/Page" in pdf
    assert problems == []


def test_echarts_speaks_the_pages_language(open_dashboard):
    page, _problems = open_dashboard(DESKTOP_VIEWPORT, locale="zh-CN")
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    assert page.evaluate(LEGEND_ALL) == "全选"
    english, problems = open_dashboard(DESKTOP_VIEWPORT, locale="en-US")
    assert english.evaluate("document.documentElement.lang") == "en"
    assert english.evaluate(LEGEND_ALL) == "All"
    assert problems == []
