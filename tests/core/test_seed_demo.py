"""`manage.py seed_demo`: the Ningguo demo city is complete, valid by the portal's own rules, and idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User
from core.demo import add_years
from core.validators import parse_id_number
from orgs.models import Organization, OrgPosition, PartyMember, PositionTitle
from orgs.rules import Level, is_allowed

pytestmark = pytest.mark.django_db

# Enough for every committee, few enough to keep the tests quick; the full 2,000 is timed by hand.
MEMBERS = 600


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out, **{"members": MEMBERS, **options})
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Organization, PartyMember, OrgPosition, User)}


def test_seed_builds_ningguos_four_level_tree():
    seed()
    counts = {level: Organization.objects.filter(level=level).count() for level in Level.values}
    assert counts[Level.DISTRICT] == 1
    assert counts[Level.STREET] == 3
    assert counts[Level.COMMUNITY] == 18
    assert counts[Level.GRID_BRANCH] == 47
    assert counts[Level.BUILDING_GROUP] == 107
    assert counts[Level.SPECIAL] == 20
    assert counts[Level.TWO_NEW] > 0 and counts[Level.UNIT] > 0
    assert PartyMember.objects.count() == MEMBERS
    assert set(Organization.objects.filter(level=Level.STREET).values_list("name", flat=True)) == {
        "西津街道党工委",
        "河沥溪街道党工委",
        "南山街道党工委",
    }


def test_every_child_sits_under_a_parent_level_the_rule_table_allows():
    seed()
    for org in Organization.objects.select_related("parent"):
        assert is_allowed(org.level, org.parent.level if org.parent else None), org.code
        if org.parent:
            assert org.code.startswith(org.parent.code + "-"), org.code
        org.full_clean()


def test_mptt_numbers_are_what_a_fresh_rebuild_would_give():
    seed()
    fields = ("id", "tree_id", "lft", "rght", "depth")
    before = sorted(Organization.objects.values_list(*fields))
    city = Organization.objects.get(code="NG")
    Organization.objects.partial_rebuild(city.tree_id)
    assert sorted(Organization.objects.values_list(*fields)) == before
    assert city.get_descendant_count() == Organization.objects.count() - 1


def test_every_member_passes_id_number_validation_and_full_clean():
    seed()
    members = list(PartyMember.objects.all())
    assert len({m.id_number for m in members}) == len(members)
    for member in members:
        facts = parse_id_number(member.id_number)
        assert (facts.gender, facts.birth_date) == (member.gender, member.birth_date)
        assert add_years(member.birth_date, 18) < member.joined_on
        member.full_clean()


def test_committees_have_secretaries_and_cross_appointments():
    seed()
    for level in (Level.COMMUNITY, Level.GRID_BRANCH):
        assert not Organization.objects.filter(level=level, secretary__isnull=True).exists()
    jinbei = Organization.objects.get(code="NG-XJ-JB")
    secretary = OrgPosition.objects.get(organization=jinbei, title=PositionTitle.SECRETARY)
    assert jinbei.secretary_id == secretary.member_id
    assert (secretary.cross_body, secretary.cross_title) == ("residents_committee", "chair")
    discipline = OrgPosition.objects.get(organization=jinbei, title=PositionTitle.DISCIPLINE_MEMBER)
    assert (discipline.cross_body, discipline.cross_title) == ("supervision_committee", "chair")


def test_one_login_per_role_with_the_demo_password():
    output = seed()
    expected = {
        "official": (Role.OFFICIAL, "NG"),
        "street_staff": (Role.STAFF, "NG-XJ"),
        "staff": (Role.STAFF, "NG-XJ-JB"),
        "grid": (Role.GRID_WORKER, "NG-XJ-JB-G01"),
        "api": (Role.INTEGRATOR, "NG-HLX"),
    }
    for username, (role, scope_code) in expected.items():
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert (user.role, user.scope.code) == (role, scope_code)
        assert username in output
    assert authenticate(username="admin", password=DEMO_PASSWORD).is_superuser


def test_second_run_changes_nothing():
    seed()
    before = row_counts()
    output = seed()
    assert row_counts() == before
    assert "already exists" in output


def test_same_seed_builds_the_same_city():
    def fingerprint() -> list[tuple]:
        return sorted(PartyMember.objects.values_list("organization__code", "name", "id_number", "phone", "kind"))

    class Rollback(Exception):
        pass

    prints = []
    for _ in range(2):
        with pytest.raises(Rollback), transaction.atomic():
            seed()
            prints.append(fingerprint())
            raise Rollback
    assert prints[0] == prints[1]


def test_too_few_members_for_the_committees_is_refused():
    with pytest.raises(CommandError, match="at least"):
        seed(members=50)
    assert not Organization.objects.exists()


def test_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
