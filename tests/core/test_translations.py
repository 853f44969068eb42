"""An English reader sees English: the key pages, asked for in English, show no Chinese apart from the data.

The data here is Latin on purpose (community, grid, building, service item, ticket), so any Chinese left on a page
is a string that missed gettext or the English catalogue. `make messages-check` catches a catalogue that fell
behind; this catches what the catalogue cannot see (text outside gettext, a date format, a stale .mo).
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.grids.factories import BuildingFactory, GridFactory, HouseholdFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory
from tests.services.factories import ServiceItemFactory, TicketFactory

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# The language picker names each language in its own tongue, so a Chinese reader can always find the way back.
OWN_NAMES = {"简体中文"}
SHOWN_ATTRIBUTES = ("placeholder", "title", "alt", "aria-label")


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes outside script/style, and the attributes that are read out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        self.parts.extend(value for name, value in attrs if name in SHOWN_ATTRIBUTES and value)
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            self.parts.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def chinese_on(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = (run for part in parser.parts for run in CJK.findall(part))
    return sorted({run for run in found if run not in OWN_NAMES})


def english_page(client: Client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, url
    assert response.headers["Content-Language"] == "en"
    return response.content.decode()


@pytest.fixture
def community():
    street = OrganizationFactory(level=Level.STREET, name="Riverside Street", code="ST-EN")
    return OrganizationFactory(level=Level.COMMUNITY, parent=street, name="Maple Community", code="CM-EN")


@pytest.fixture
def grid(community):
    grid = GridFactory(community=community, name="Maple Grid One")
    household = HouseholdFactory(building=BuildingFactory(grid=grid, name="Block 7", address="7 Maple Road"))
    household.unit, household.room = "A", "101"
    household.save()
    return grid


@pytest.fixture
def staff(community):
    return UserFactory(role=Role.STAFF, scope=community, username="alice", first_name="Alice", last_name="Smith")


def test_english_visitor_sees_english_login_page(client):
    assert chinese_on(english_page(client, reverse("login"))) == []


def test_english_staff_sees_english_home_page(client, staff, grid):
    client.force_login(staff)
    assert chinese_on(english_page(client, reverse("home"))) == []


def test_english_staff_sees_english_ticket_queue(client, staff, community, grid):
    item = ServiceItemFactory(name="Broken street light", code="SI-EN-1")
    TicketFactory(
        community=community, grid=grid, service_item=item, description="The stairwell light is out",
        reporter_name="Bob Brown", reporter_phone="13912345678", by=staff,
    )  # fmt: skip
    client.force_login(staff)
    assert chinese_on(english_page(client, reverse("tickets:queue"))) == []


def test_english_grid_worker_sees_english_grid_page(client, grid):
    client.force_login(grid_worker_for(grid, username="carol", first_name="Carol"))
    assert chinese_on(english_page(client, reverse("grid:grid", args=[grid.pk]))) == []


def test_english_staff_sees_english_grid_list(client, staff, community, grid):
    GridFactory(community=community, name="Maple Grid Two")  # with one grid the list goes straight to it
    client.force_login(staff)
    assert chinese_on(english_page(client, reverse("grid:home"))) == []


def test_the_check_itself_sees_chinese_text_and_attributes():
    # A guard on the guard: Chinese in a text node or a read-out attribute is reported; script bodies are not text.
    html = '<p>Hello 你好</p><input placeholder="搜索"><script>var s = "脚本";</script><option>简体中文</option>'
    assert chinese_on(html) == ["你好", "搜索"]
