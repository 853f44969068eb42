"""The demo city's grids: Ningguo's 18/47/122 grids, a working login per third-level grid, and idempotence."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User
from core.demo import DemoContext
from grids.demo import draw_outlines
from grids.models import Grid, GridDuty, GridLevel, GridRole, Household, Visit
from grids.scope import worked_grids
from grids.validators import validate_outline
from orgs.models import Organization
from residents.coverage import coverage_report
from residents.models import Resident
from services.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One demo city for the whole module (seeding takes seconds), rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        call_command("seed_demo", stdout=_Quiet())
        yield
        transaction.set_rollback(True)


class _Quiet:
    def write(self, *args, **kwargs):
        pass


def test_demo_has_ningguos_grid_counts_with_branches_tied_one_to_one(seeded):
    counts = {level: Grid.objects.filter(grid_level=level).count() for level in GridLevel.values}
    assert counts == {GridLevel.FIRST: 18, GridLevel.SECOND: 47, GridLevel.THIRD: 122}
    tied = Grid.objects.filter(branch__isnull=False)
    assert tied.count() == 47 and set(tied.values_list("grid_level", flat=True)) == {GridLevel.THIRD}
    assert all(grid.branch.is_descendant_of(grid.community) for grid in tied.select_related("branch", "community"))
    assert Grid.objects.filter(community__level="community").values("community").distinct().count() == 18


def test_every_third_level_grid_has_a_head_and_one_worker_who_sees_only_their_grid(seeded):
    workers = User.objects.filter(role=Role.GRID_WORKER, username__regex=r"^grid[0-9]{3}$")
    assert workers.count() == 122
    assert GridRole.objects.filter(duty=GridDuty.GRID_HEAD).count() == 122
    for user in workers.order_by("?")[:5]:
        (grid,) = worked_grids(user)
        visible = Resident.objects.visible_to(user)
        assert visible.exists()
        assert set(visible.values_list("household__building__grid", flat=True)) == {grid.pk}
        assert not Resident.objects.exclude(household__building__grid=grid).filter(pk__in=visible).exists()


def test_a_grid_worker_can_log_in_with_the_demo_password(seeded):
    assert Client().login(username="grid001", password=DEMO_PASSWORD)
    assert Client().login(username="grid122", password=DEMO_PASSWORD)


def test_demo_leaves_deliberate_coverage_gaps(seeded):
    report = coverage_report(node=Organization.objects.get(code="NG"))
    assert 3000 <= report.residents <= 6000
    assert report.buildings_without_households > 0
    assert report.households_without_residents > 0
    assert report.residents_missing_phone > 0 and report.residents_missing_id > 0
    assert 0 < report.care_households_unvisited < report.care_households
    assert Visit.objects.values("visitor").distinct().count() == 122


def test_seeding_twice_changes_nothing(seeded, settings):
    settings.DEBUG = True
    before = [model.objects.count() for model in (Grid, GridRole, User, Household, Resident, Visit)]
    call_command("seed_demo", stdout=_Quiet())
    assert [model.objects.count() for model in (Grid, GridRole, User, Household, Resident, Visit)] == before


# --- History runs forward: checks over every visit of the seeded demo ----------------------------------------------


def visits_out_of_time() -> list[int]:
    """Visits dated in the future, recorded before the day they were made, or turned into a ticket before it."""
    today = timezone.localdate()
    wrong = set(Visit.objects.filter(visited_on__gt=today).values_list("pk", flat=True))
    for pk, visited_on, created_at in Visit.objects.values_list("pk", "visited_on", "created_at"):
        if timezone.localdate(created_at) < visited_on:
            wrong.add(pk)
    followed = Ticket.objects.filter(source_visit__isnull=False)
    for pk, visited_on, filed in followed.values_list("source_visit", "source_visit__visited_on", "created_at"):
        if timezone.localdate(filed) < visited_on:
            wrong.add(pk)
    return sorted(wrong)


def test_no_visit_is_recorded_or_followed_up_before_it_was_made(seeded):
    assert Visit.objects.exists()
    assert visits_out_of_time() == []


def _box(outline) -> tuple[float, float, float, float]:
    (ring,) = outline["coordinates"]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lngs), min(lats), max(lngs), max(lats)


def _overlap(a, b) -> float:
    width, height = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    return max(width, 0) * max(height, 0)


def test_demo_grids_have_nested_non_overlapping_outlines_around_ningguo(seeded):
    grids = list(Grid.objects.order_by("code"))
    for grid in grids:
        validate_outline(grid.outline)
        west, south, east, north = _box(grid.outline)
        assert 118.8 < west < east < 119.2 and 30.5 < south < north < 30.8
    boxes = {grid.pk: _box(grid.outline) for grid in grids}
    for grid in grids:
        if grid.parent_id:
            parent, child = boxes[grid.parent_id], boxes[grid.pk]
            assert parent[0] <= child[0] < child[2] <= parent[2] and parent[1] <= child[1] < child[3] <= parent[3]
    thirds = [boxes[g.pk] for g in grids if g.grid_level == GridLevel.THIRD]
    assert all(_overlap(a, b) < 1e-12 for i, a in enumerate(thirds) for b in thirds[i + 1 :])


def test_demo_outlines_are_drawn_the_same_every_time_and_kept_when_present(seeded):
    before = dict(Grid.objects.values_list("pk", "outline"))
    communities = list(Organization.objects.filter(grids__isnull=False).distinct())
    ctx = DemoContext(seed=1, scale=1, members=None, say=lambda _text: None)
    with transaction.atomic():
        draw_outlines(ctx, communities)  # nothing missing: nothing changes
        assert dict(Grid.objects.values_list("pk", "outline")) == before
        Grid.objects.update(outline=None)
        draw_outlines(ctx, communities)
        assert dict(Grid.objects.values_list("pk", "outline")) == before
        transaction.set_rollback(True)
