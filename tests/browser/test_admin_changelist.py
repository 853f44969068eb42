"""The tickets changelist as a staff member sees it on a 1366 px laptop: every column on screen, nothing clipped."""

import pytest

from accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.grids.factories import GridFactory
from tests.services.factories import ServiceItemFactory, TicketFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}


def test_ticket_changelist_fits_a_laptop_screen(chromium, live_server, artifacts_dir):
    grid = GridFactory(name="西津社区第三网格（老城片区）")
    staff = UserFactory(role=Role.STAFF, scope=grid.community, is_staff=True, password="pw-123456")
    item = ServiceItemFactory(name="公共区域路灯不亮、楼道灯损坏报修", organization=grid.community)
    for _ in range(5):
        TicketFactory(grid=grid, service_item=item, by=staff)

    context = chromium.new_context(viewport=LAPTOP, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.goto("/admin/login/?next=/admin/services/ticket/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", "pw-123456")
    page.click("input[type=submit]")
    page.wait_for_selector("#result_list")
    page.screenshot(path=str(artifacts_dir / "admin_ticket_changelist_1366.png"))

    clipped = page.evaluate(
        "() => { const t = document.querySelector('#result_list'), box = t.closest('.results');"
        " return Math.max(t.scrollWidth - box.clientWidth,"
        " t.getBoundingClientRect().right - document.documentElement.clientWidth); }"
    )
    assert clipped <= 0, f"the last columns are cut off by {clipped:.0f} px"
    reference_lines = page.eval_on_selector_all(
        "#result_list tbody .field-reference a", "links => links.map(a => a.getClientRects().length)"
    )
    assert reference_lines == [1] * 5, "a reference wraps"
    context.close()
