"""The demo city's grids: Ningguo's 18/47/122 grids, a working login per third-level grid, and idempotence."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User
from grids.models import Grid, GridDuty, GridLevel, GridRole, Household, Visit
from grids.scope import worked_grids
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
