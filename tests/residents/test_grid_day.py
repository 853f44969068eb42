"""A grid worker's day from the navigation: my grid, my tasks, report, search, visits due, notifications; grid
pages at every level show what that level holds; households are named so that two "1栋 1-402" differ."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from config import urls as config_urls
from config.navigation import nav_links
from grids.models import GridLevel
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.grids.factories import BuildingFactory, GridFactory, HouseholdFactory, VisitFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory
from tests.residents.factories import CareTagFactory, ResidentFactory
from tests.services.factories import TicketFactory

pytestmark = pytest.mark.django_db

GRID_WORKER_DAY = ["grid:home", "tickets:assigned", "tickets:report", "grid:search", "grid:visits-due",
                   "notifications:list"]  # fmt: skip


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def nav_urls(page: str) -> list[str]:
    nav = re.search(r'<nav class="tabs".*?</nav>', page, re.S)
    assert nav, "the page has no navigation"
    return re.findall(r'href="([^"]+)"', nav.group(0))


@pytest.fixture
def community():
    return OrganizationFactory(level=Level.COMMUNITY, name="西津社区")


@pytest.fixture
def care_tag():
    return CareTagFactory(code="elderly_alone", name="空巢独居老人")


@pytest.fixture
def tree(community):
    """A first-level grid with two third-level grids, each with a building "1栋" holding a care household 1-402."""
    top = GridFactory(community=community, grid_level=GridLevel.FIRST, name="西津一级网格")
    east = GridFactory(community=community, parent=top, name="东片网格")
    west = GridFactory(community=community, parent=top, name="西片网格")
    return top, east, west


def care_household(grid, care_tag, *, building="1栋", unit="1", room="402", name="陈奶奶"):
    household = HouseholdFactory(building=BuildingFactory(grid=grid, name=building), unit=unit, room=room)
    ResidentFactory(household=household, name=name, tags=[care_tag])
    return household


# --- navigation -------------------------------------------------------------------------------------------------


def test_grid_worker_nav_holds_every_part_of_their_day_and_each_link_answers(tree):
    _, east, _ = tree
    worker = grid_worker_for(east)
    client = client_for(worker)
    page = client.get(reverse("grid:grid", args=[east.pk])).content.decode()

    assert nav_urls(page) == [reverse(name) for name in GRID_WORKER_DAY]
    for url in nav_urls(page):
        assert client.get(url, follow=True).status_code == 200, url


def test_the_nav_is_on_ticket_and_notification_pages_too(tree):
    _, east, _ = tree
    client = client_for(grid_worker_for(east))
    for url in (reverse("tickets:assigned"), reverse("tickets:report"), reverse("notifications:list")):
        assert nav_urls(client.get(url).content.decode()) == [reverse(name) for name in GRID_WORKER_DAY], url


def test_my_tasks_entry_shows_how_many_assigned_tickets_are_open(tree):
    _, east, _ = tree
    worker = grid_worker_for(east)
    TicketFactory(grid=east, assignee_user=worker, status="dispatched")
    TicketFactory(grid=east, assignee_user=worker, status="closed")
    page = client_for(worker).get(reverse("grid:visits-due")).content.decode()
    assert re.search(r'id="open-task-count"[^>]*>1<', page)


def test_staff_nav_holds_staff_entries_not_the_grid_workers(community):
    staff = UserFactory(role=Role.STAFF, scope=community)
    urls = [link.url for link in nav_links(staff)]
    assert reverse("tickets:queue") in urls and reverse("tickets:new") in urls and reverse("grid:search") in urls
    assert reverse("tickets:report") not in urls and reverse("grid:visits-due") not in urls


def test_official_nav_has_no_write_entries(community):
    official = UserFactory(role=Role.OFFICIAL, scope=community)
    urls = [link.url for link in nav_links(official)]
    assert reverse("tickets:queue") in urls and reverse("tickets:new") not in urls


# The site's URLs less the mediation app's, as on a deployment without it.
urlpatterns = [pattern for pattern in config_urls.urlpatterns if "mediation" not in str(pattern.pattern)]


@pytest.mark.urls("tests.residents.test_grid_day")
def test_an_entry_whose_app_is_not_installed_is_left_out(community):
    staff = UserFactory(role=Role.STAFF, scope=community)
    urls = [link.url for link in nav_links(staff)]
    assert "/mediation/" not in urls
    assert reverse("tickets:queue") in urls


def test_staff_reach_mediation_from_the_nav(community):
    staff = UserFactory(role=Role.STAFF, scope=community)
    assert reverse("mediation:list") in [link.url for link in nav_links(staff)]


# --- grid levels ------------------------------------------------------------------------------------------------


def test_community_level_grid_page_lists_its_sub_grids_with_their_figures(tree, care_tag, community):
    top, east, west = tree
    care_household(east, care_tag)
    VisitFactory(household=care_household(east, care_tag, building="2栋"))
    care_household(west, care_tag)
    staff = UserFactory(role=Role.STAFF, scope=community)
    page = client_for(staff).get(reverse("grid:grid", args=[top.pk])).content.decode()

    assert "本网格还没有楼栋" not in page
    east_row = re.search(rf'<tr id="subgrid-{east.pk}">.*?</tr>', page, re.S).group(0)
    assert reverse("grid:grid", args=[east.pk]) in east_row
    # buildings, households, residents, care households, households visited this month
    assert re.findall(r"<td>(\d+)</td>", east_row) == ["2", "2", "2", "2", "1"]
    assert f'id="subgrid-{west.pk}"' in page


def test_leaf_grid_page_lists_its_buildings(tree, care_tag):
    _, east, _ = tree
    care_household(east, care_tag)
    page = client_for(grid_worker_for(east)).get(reverse("grid:grid", args=[east.pk])).content.decode()
    assert 'id="buildings"' in page and "1栋" in page and 'id="subgrids"' not in page


def test_grid_page_queries_do_not_grow_with_the_number_of_sub_grids(tree, care_tag, community):
    top, east, west = tree
    care_household(east, care_tag)
    client = client_for(UserFactory(role=Role.STAFF, scope=community))
    url = reverse("grid:grid", args=[top.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for n in range(10):
        care_household(GridFactory(community=community, parent=top), care_tag, name=f"张{n}")
    assert queries() == few


# --- households named unambiguously -----------------------------------------------------------------------------


def test_care_list_tells_apart_two_households_of_the_same_name_in_different_grids(tree, care_tag, community):
    top, east, west = tree
    care_household(east, care_tag)
    care_household(west, care_tag)
    page = client_for(UserFactory(role=Role.STAFF, scope=community)).get(reverse("grid:grid", args=[top.pk]))
    care_list = re.search(r'id="gap-care".*?</section>', page.content.decode(), re.S).group(0)
    assert "东片网格 1栋 1-402" in care_list and "西片网格 1栋 1-402" in care_list


def test_a_one_grid_list_keeps_the_short_name(tree, care_tag):
    _, east, _ = tree
    care_household(east, care_tag)
    page = client_for(grid_worker_for(east)).get(reverse("grid:grid", args=[east.pk])).content.decode()
    care_list = re.search(r'id="gap-care".*?</section>', page, re.S).group(0)
    assert "1栋 1-402" in care_list and "东片网格 1栋" not in care_list


def test_search_results_name_each_household_with_its_grid_when_they_span_grids(tree, care_tag, community):
    _, east, west = tree
    care_household(east, care_tag, name="陈一")
    care_household(west, care_tag, name="陈二")
    client = client_for(UserFactory(role=Role.STAFF, scope=community))
    page = client.get(reverse("grid:search"), {"q": "陈"}).content.decode()
    assert "东片网格 1栋 1-402" in page and "西片网格 1栋 1-402" in page


# --- visits due -------------------------------------------------------------------------------------------------


def test_visits_due_lists_a_care_household_not_visited_and_drops_it_after_a_visit(tree, care_tag):
    _, east, _ = tree
    household = care_household(east, care_tag)
    HouseholdFactory(building=household.building, room="403")  # no care tag: no visit is required
    worker = grid_worker_for(east)
    client = client_for(worker)

    page = client.get(reverse("grid:visits-due")).content.decode()
    assert f'id="due-{household.pk}"' in page and page.count('id="due-') == 1
    assert reverse("grid:visit-add", args=[household.pk]) in page

    VisitFactory(household=household, visitor=worker)
    page = client.get(reverse("grid:visits-due")).content.decode()
    assert f'id="due-{household.pk}"' not in page and 'id="none-due"' in page


def test_visits_due_lists_the_longest_waiting_first_and_only_my_grids(tree, care_tag):
    _, east, west = tree
    today = timezone.localdate()
    recent = care_household(east, care_tag, room="401")
    VisitFactory(household=recent, visited_on=today - datetime.timedelta(days=40))
    old = care_household(east, care_tag, building="2栋", room="101")
    VisitFactory(household=old, visited_on=today - datetime.timedelta(days=90))
    never = care_household(east, care_tag, building="3栋", room="102")
    elsewhere = care_household(west, care_tag)
    page = client_for(grid_worker_for(east)).get(reverse("grid:visits-due")).content.decode()
    assert re.findall(r'id="due-(\d+)"', page) == [str(never.pk), str(old.pk), str(recent.pk)]
    assert f'id="due-{elsewhere.pk}"' not in page
