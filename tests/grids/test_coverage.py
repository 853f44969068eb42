"""Coverage figures against a direct Python count over the rows of a small random city, and the coverage API."""

import datetime
import random

import pytest
from django.utils import timezone

from accounts.models import Role
from grids.models import Building, Grid, GridLevel, Household, Visit
from orgs.models import Organization
from orgs.rules import Level
from residents.coverage import (
    CoverageReport,
    _grids_with_buildings,
    coverage_breakdown,
    coverage_children,
    coverage_gaps,
    coverage_report,
    subtree_grids,
)
from residents.models import ResidenceStatus, Resident
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import BuildingFactory, GridFactory, HouseholdFactory, VisitFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory, make_id_number
from tests.residents.factories import CareTagFactory, ResidentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/coverage/"
CURRENT = (ResidenceStatus.REGISTERED, ResidenceStatus.FLOATING)
STATUSES = [*CURRENT, *CURRENT, ResidenceStatus.MOVED_OUT, ResidenceStatus.DECEASED]


def build_city(seed: int) -> Organization:
    """District → 2 streets → 2 communities each → 2 root grids each (the first with a child grid), random rows."""
    rng = random.Random(seed)
    today = timezone.localdate()
    care, no_visit_tag = CareTagFactory(code="cov-care"), CareTagFactory(code="cov-quiet", needs_care_visits=False)
    city = OrganizationFactory(level=Level.DISTRICT)
    for _s in range(2):
        street = OrganizationFactory(level=Level.STREET, parent=city)
        for _c in range(2):
            community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
            first = GridFactory(community=community, grid_level=GridLevel.FIRST)
            grids = [first, GridFactory(community=community, parent=first), GridFactory(community=community)]
            for grid in grids:
                for _b in range(rng.randint(0, 3)):
                    building = BuildingFactory(grid=grid)
                    for _h in range(rng.randint(0, 3)):
                        household = HouseholdFactory(building=building)
                        for _r in range(rng.randint(0, 3)):
                            ResidentFactory(
                                household=household,
                                status=rng.choice(STATUSES),
                                id_number="" if rng.random() < 0.2 else make_id_number(),
                                phone="" if rng.random() < 0.2 else "13912345678",
                                tags=rng.choice([[], [], [care], [no_visit_tag], [care, no_visit_tag]]),
                            )
                        for _v in range(rng.randint(0, 2)):
                            VisitFactory(household=household, visited_on=today - datetime.timedelta(rng.randint(0, 60)))
    return Organization.objects.get(pk=city.pk)


def tiny_city() -> Organization:
    """A second, smaller city: what lies outside the first one's subtree."""
    community = OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.DISTRICT))
    household = HouseholdFactory(building=BuildingFactory(grid=GridFactory(community=community)))
    ResidentFactory(household=household, id_number="", phone="", tags=[CareTagFactory(code="cov-care")])
    VisitFactory(household=household)
    BuildingFactory(grid=GridFactory(community=community))
    return community


def direct_count(node, today: datetime.date) -> CoverageReport:
    """The figures counted the slow, obvious way: Python over every row."""
    if isinstance(node, Grid):
        grids = {g.pk for g in Grid.objects.all() if g.tree_id == node.tree_id and node.lft <= g.lft <= node.rght}
    else:
        grids = {
            g.pk
            for g in Grid.objects.select_related("community")
            if g.community.tree_id == node.tree_id and node.lft <= g.community.lft <= node.rght
        }
    buildings = [b for b in Building.objects.all() if b.grid_id in grids]
    households = [h for h in Household.objects.select_related("building") if h.building.grid_id in grids]
    residents = [
        r
        for r in Resident.objects.prefetch_related("tags")
        if r.status in CURRENT and r.household_id in {h.pk for h in households}
    ]
    visits = list(Visit.objects.all())
    since, month_start = today - datetime.timedelta(days=30), today.replace(day=1)
    care = {r.household_id for r in residents if any(t.needs_care_visits for t in r.tags.all())}
    recent = {v.household_id for v in visits if since <= v.visited_on <= today}
    this_month = {v.household_id for v in visits if month_start <= v.visited_on <= today}
    household_ids = {h.pk for h in households}
    return CoverageReport(
        buildings=len(buildings),
        buildings_without_households=len({b.pk for b in buildings} - {h.building_id for h in households}),
        households=len(households),
        households_without_residents=len(household_ids - {r.household_id for r in residents}),
        residents=len(residents),
        residents_missing_id=sum(1 for r in residents if not r.id_number),
        residents_missing_phone=sum(1 for r in residents if not r.phone),
        care_households=len(care),
        care_households_unvisited=len(care - recent),
        households_visited_this_month=len(household_ids & this_month),
        care_visit_days=30,
    )


def every_node(city: Organization) -> list:
    return [*city.get_descendants(include_self=True), *Grid.objects.all()]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_coverage_figures_equal_a_direct_count_on_a_random_city(seed):
    tiny_city()
    city = build_city(seed)
    today = timezone.localdate()
    assert coverage_report(node=city, today=today).residents > 0
    for node in [*every_node(city), *Organization.objects.filter(level=Level.DISTRICT).exclude(pk=city.pk)]:
        assert coverage_report(node=node, today=today) == direct_count(node, today), node


def test_a_city_wide_report_counts_everything_less_the_few_grids_outside():
    other = tiny_city()
    city = build_city(8)
    inside, outside = _grids_with_buildings(subtree_grids(city))
    assert set(outside) == set(Grid.objects.filter(community=other).values_list("pk", flat=True))
    assert outside.total() == 2 < inside.total() == Building.objects.count() - 2
    assert coverage_report(node=city) == direct_count(city, timezone.localdate())


@pytest.mark.parametrize("seed", [4, 5])
def test_breakdown_gives_each_child_the_figures_of_its_own_report(seed):
    city = build_city(seed)
    for node in every_node(city):
        report, children = coverage_breakdown(node=node)
        assert report == coverage_report(node=node)
        assert [child for child, _ in children] == coverage_children(node)
        for child, figures in children:
            assert figures == coverage_report(node=child), child


def test_a_street_rolls_up_to_the_sum_of_its_communities():
    city = build_city(6)
    for street in city.get_children():
        communities = [coverage_report(node=c).as_dict() for c in street.get_children()]
        summed = {key: sum(c[key] for c in communities) for key in communities[0] if key != "visited_share"}
        assert {k: v for k, v in coverage_report(node=street).as_dict().items() if k != "visited_share"} == {
            **summed,
            "care_visit_days": 30,
        }


def test_a_grids_own_buildings_count_for_it_but_not_for_its_child_grid():
    parent = GridFactory(grid_level=GridLevel.FIRST)
    child = GridFactory(community=parent.community, parent=parent)
    BuildingFactory(grid=parent)
    ResidentFactory(household=HouseholdFactory(building=BuildingFactory(grid=child)))
    parent.refresh_from_db()
    report, children = coverage_breakdown(node=parent)
    assert (report.buildings, report.residents) == (2, 1)
    assert [(c, r.buildings, r.buildings_without_households) for c, r in children] == [(child, 1, 0)]


def test_recording_a_visit_closes_a_care_household_gap():
    household = HouseholdFactory()
    ResidentFactory(household=household, tags=[CareTagFactory(code="elderly_alone")])
    VisitFactory(household=household, visited_on=timezone.localdate() - datetime.timedelta(days=31))
    grid = household.building.grid
    before = coverage_report(node=grid)
    assert (before.care_households, before.care_households_unvisited) == (1, 1)
    assert coverage_gaps(grid=grid)["care_households_unvisited"] == [household]

    VisitFactory(household=household)

    after = coverage_report(node=grid)
    assert (after.care_households, after.care_households_unvisited, after.households_visited_this_month) == (1, 0, 1)
    assert coverage_gaps(grid=grid)["care_households_unvisited"] == []


def test_a_tag_that_asks_for_no_visits_makes_no_care_household():
    household = HouseholdFactory()
    ResidentFactory(household=household, tags=[CareTagFactory(code="quiet", needs_care_visits=False)])
    assert coverage_report(node=household.building.grid).care_households == 0


@pytest.mark.parametrize("status", [ResidenceStatus.MOVED_OUT, ResidenceStatus.DECEASED])
def test_moved_out_and_deceased_residents_do_not_count(status):
    household = HouseholdFactory()
    ResidentFactory(household=household, status=status, id_number="", phone="", tags=[CareTagFactory(code="x")])
    report = coverage_report(node=household.building.grid)
    assert report.residents == report.residents_missing_id == report.residents_missing_phone == 0
    assert report.care_households == 0
    assert report.households_without_residents == 1
    assert coverage_gaps(grid=household.building.grid)["households_without_residents"] == [household]


def test_an_empty_node_reports_zeros():
    street = OrganizationFactory(level=Level.STREET)
    report = coverage_report(node=street)
    assert report.as_dict() == {
        **{name: 0 for name in report.as_dict() if name not in ("care_visit_days", "visited_share")},
        "care_visit_days": 30,
        "visited_share": 0.0,
    }


# --- API ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def city():
    return build_city(7)


def test_coverage_api_returns_the_report_and_a_line_per_community(city):
    street = city.get_children().first()
    staff = UserFactory(role=Role.STAFF, scope=street)
    response = client_for(staff).get(URL, {"org": street.pk})
    assert response.status_code == 200, response.data
    data = response.json()
    expected = coverage_report(node=street).as_dict()
    assert {key: data[key] for key in expected} == expected
    assert (data["id"], data["name"], data["kind"]) == (street.pk, street.name, "org")
    assert [c["id"] for c in data["children"]] == [c.pk for c in street.get_children().order_by("code")]
    assert sum(c["residents"] for c in data["children"]) == data["residents"]


def test_coverage_api_lists_grids_under_a_community(city):
    community = Organization.objects.filter(level=Level.COMMUNITY).first()
    staff = UserFactory(role=Role.STAFF, scope=community)
    data = client_for(staff).get(URL, {"org": community.pk}).json()
    roots = Grid.objects.filter(community=community, parent=None).order_by("code")
    assert [(c["id"], c["kind"]) for c in data["children"]] == [(g.pk, "grid") for g in roots]


def test_coverage_api_hides_nodes_outside_the_scope(city):
    mine, other = city.get_children()
    staff = UserFactory(role=Role.STAFF, scope=mine)
    client = client_for(staff)
    assert client.get(URL, {"org": other.pk}).status_code == 404
    assert client.get(URL, {"org": city.pk}).status_code == 404
    assert client.get(URL, {"org": 999999}).status_code == 404
    outside_grid = Grid.objects.filter(community__parent=other).first()
    assert client.get(URL, {"grid": outside_grid.pk}).status_code == 404


def test_grid_worker_gets_their_own_grid_by_default_and_nothing_else(city):
    grid, other = Grid.objects.filter(parent=None).order_by("pk")[:2]
    worker = grid_worker_for(grid)
    client = client_for(worker)
    data = client.get(URL).json()
    assert (data["id"], data["kind"]) == (grid.pk, "grid")
    assert data["residents"] == coverage_report(node=grid).residents
    assert client.get(URL, {"grid": other.pk}).status_code == 404
    assert client.get(URL, {"org": grid.community_id}).status_code == 404


def test_staff_without_parameters_gets_their_scope(city):
    street = city.get_children().last()
    data = client_for(UserFactory(role=Role.STAFF, scope=street)).get(URL).json()
    assert (data["id"], data["kind"]) == (street.pk, "org")


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"org": "abc"}, "org", "请填写有效的编号（正整数）。"),
        ({"grid": "-3"}, "grid", "请填写有效的编号（正整数）。"),
        ({"org": "1", "grid": "1"}, "non_field_errors", "org 与 grid 只能指定其中一个。"),
    ],
)
def test_bad_parameters_are_a_400_in_chinese(city, params, field, message):
    response = client_for(UserFactory(role=Role.STAFF, scope=city)).get(URL, params)
    assert response.status_code == 400
    assert response.json()[field] == [message]


def test_a_user_without_scope_must_name_a_node():
    response = client_for(UserFactory(role=Role.STAFF, scope=None)).get(URL)
    assert response.status_code == 400
    assert "请用 org 或 grid 参数指定节点" in response.json()["org"][0]


def test_anonymous_is_refused(city):
    assert client_for(None).get(URL, {"org": city.pk}).status_code in (401, 403)


def test_coverage_api_runs_the_same_number_of_queries_however_many_children(django_assert_max_num_queries):
    small = OrganizationFactory(level=Level.STREET)
    large = OrganizationFactory(level=Level.STREET)
    for street, n in ((small, 1), (large, 6)):
        for _ in range(n):
            ResidentFactory(household=HouseholdFactory(building=BuildingFactory(grid=GridFactory(
                community=OrganizationFactory(level=Level.COMMUNITY, parent=street)))))  # fmt: skip
    admin = UserFactory(is_superuser=True)
    counts = []
    for street in (small, large):
        with django_assert_max_num_queries(10) as captured:
            assert client_for(admin).get(URL, {"org": street.pk}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
