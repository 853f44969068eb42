"""Demo residents: the people in the demo households, with special-care tags at realistic rates.

About 4,000 residents at scale 1 (`--scale N` multiplies, bulk-inserted, toward a city of a million). Household
sizes, ages, relations and tags are drawn per household so a family looks like one: a head, perhaps a spouse,
children, now and then an elderly parent. Rates of the care tags follow what county-level cities report: about
5% elderly living alone, 2% low income (低保), 2% disabled, under 1% left-behind children, women, community
correction and key persons. Some residents lack a phone (children, the very old) or an ID number (newly arrived
floating residents not yet checked): gaps the coverage report should find. Then each grid worker's visits of the last
90 days (`build_visits`), which follow who needs care.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.demo import DEMO_TODAY, DemoContext, add_years, bulk_create, random_date
from core.validators import FEMALE, MALE
from grids.models import Household, HouseholdKind, Visit, VisitKind
from residents.models import (
    CareTag,
    PoliticalStatus,
    Relation,
    ResidenceHistory,
    ResidenceStatus,
    Resident,
    initials_of,
)

HOUSEHOLD_SIZES = {1: 18, 2: 30, 3: 27, 4: 15, 5: 10}  # mean 2.69, near grids.demo.MEAN_HOUSEHOLD_SIZE
MISSING_ID_SHARE = 0.01
ETHNICITIES = {"汉族": 985, "回族": 6, "畲族": 5, "满族": 2, "苗族": 2}
# (tag code, probability, who may carry it): the probability applies to those the condition lets through.
TAG_RATES = [
    ("elderly_alone", 0.95, lambda age, size: age >= 65 and size == 1),
    ("elderly_alone", 0.45, lambda age, size: age >= 70 and size == 2),
    ("low_income", 0.02, lambda age, size: True),
    ("disabled", 0.02, lambda age, size: True),
    ("left_behind_child", 0.04, lambda age, size: age < 16),
    ("left_behind_woman", 0.01, lambda age, size: 20 <= age < 60),
    ("unemployed", 0.02, lambda age, size: 18 <= age < 60),
    ("community_correction", 0.001, lambda age, size: 18 <= age < 70),
    ("key_person", 0.002, lambda age, size: 18 <= age < 70),
]


def build(ctx: DemoContext) -> None:
    grids = ctx.shared["third_level_grids"]
    if Resident.objects.filter(household__building__grid__in=grids).exists():
        ctx.say("residents: demo residents already exist, leaving them as they are")
        return
    ctx.id_numbers.reserve(Resident.objects.current().exclude(id_number="").values_list("id_number", flat=True))
    households = list(
        Household.objects.filter(building__grid__in=grids).exclude(kind=HouseholdKind.VACANT).order_by("pk")
    )
    families = [(household, _family(ctx, household)) for household in households]
    residents = [resident for _household, family in families for resident, _tags in family]
    bulk_create(Resident, residents, batch_size=2000)
    _link_tags(ctx, families)
    bulk_create(
        ResidenceHistory,
        [
            ResidenceHistory(resident=r, household_id=r.household_id, moved_in_on=r._moved_in, note="登记")
            for r in residents
        ],
        batch_size=2000,
    )
    for household, family in families:
        household.head, household.phone = family[0][0], family[0][0].phone
    Household.objects.bulk_update(households, ["head", "phone"], batch_size=2000)
    ctx.say(f"residents: {len(residents)} residents in {len(households)} households")


def _family(ctx: DemoContext, household: Household) -> list[tuple[Resident, list[str]]]:
    size = ctx.rng.choices(list(HOUSEHOLD_SIZES), list(HOUSEHOLD_SIZES.values()))[0]
    renting = household.kind == HouseholdKind.RENTING
    head_age = ctx.rng.randint(60, 92) if size == 1 and ctx.rng.random() < 0.6 else ctx.rng.randint(24, 80)
    head_gender = MALE if ctx.rng.random() < 0.6 else FEMALE
    members = [(Relation.HEAD, head_age, head_gender)]
    if size >= 2:
        spouse_age = max(20, head_age + ctx.rng.randint(-5, 5))
        members.append((Relation.SPOUSE, spouse_age, FEMALE if head_gender == MALE else MALE))
    for _ in range(size - len(members)):
        if head_age < 60 and ctx.rng.random() < 0.8:
            members.append((Relation.CHILD, ctx.rng.randint(0, max(0, head_age - 22)), ctx.rng.choice((MALE, FEMALE))))
        elif head_age < 55:
            members.append((Relation.PARENT, head_age + ctx.rng.randint(22, 32), ctx.rng.choice((MALE, FEMALE))))
        else:
            members.append((Relation.GRANDCHILD, ctx.rng.randint(0, 15), ctx.rng.choice((MALE, FEMALE))))
    return [_resident(ctx, household, relation, age, gender, size, renting) for relation, age, gender in members]


def _resident(ctx, household, relation, age: int, gender: str, size: int, renting: bool) -> tuple[Resident, list]:
    birth_date = random_date(
        ctx.rng, add_years(DEMO_TODAY, -age - 1) + datetime.timedelta(days=1), add_years(DEMO_TODAY, -age)
    )
    status = ResidenceStatus.FLOATING if renting else ResidenceStatus.REGISTERED
    missing_id = status == ResidenceStatus.FLOATING and ctx.rng.random() < MISSING_ID_SHARE * 5
    has_phone = 14 <= age < 85 or ctx.rng.random() < 0.3
    name = ctx.person_name(gender)
    resident = Resident(
        name=name, name_initials=initials_of(name), household=household, relation=relation, status=status,
        gender=gender, birth_date=birth_date, id_number="" if missing_id else ctx.id_number(birth_date, gender),
        phone=ctx.mobile() if has_phone else "", ethnicity=_weighted(ctx, ETHNICITIES),
        political_status=_political_status(ctx, age),
    )  # fmt: skip
    resident._moved_in = min(
        DEMO_TODAY, max(birth_date, DEMO_TODAY - datetime.timedelta(days=ctx.rng.randint(30, 20 * 365)))
    )
    tags = [code for code, rate, fits in TAG_RATES if fits(age, size) and ctx.rng.random() < rate]
    return resident, list(dict.fromkeys(tags))


def _political_status(ctx: DemoContext, age: int) -> str:
    roll = ctx.rng.random()
    if age >= 18 and roll < 0.07:
        return PoliticalStatus.PARTY_MEMBER
    if 14 <= age < 28 and roll < 0.35:
        return PoliticalStatus.LEAGUE_MEMBER
    return PoliticalStatus.MASSES


def _weighted(ctx: DemoContext, weights: dict[str, int]) -> str:
    return ctx.rng.choices(list(weights), list(weights.values()))[0]


def _link_tags(ctx: DemoContext, families) -> None:
    tag_ids = dict(CareTag.objects.values_list("code", "id"))
    through = Resident.tags.through
    links = [
        through(resident_id=resident.pk, caretag_id=tag_ids[code])
        for _household, family in families
        for resident, codes in family
        for code in codes
        if code in tag_ids
    ]
    bulk_create(through, links, batch_size=5000)
    ctx.say(f"residents: {len(links)} special-care tags")


# --- Visits (after the residents builder) -----------------------------------------------------------------------

CARE_UNVISITED_SHARE = 0.15  # care households the worker has not reached lately: a gap on purpose
VISIT_DAYS = 90


def build_visits(ctx: DemoContext) -> None:
    """Each grid worker's visits over the past 90 days, reckoned from the real today (the report's today)."""
    grids = ctx.shared["third_level_grids"]
    if Visit.objects.filter(household__building__grid__in=grids).exists():
        ctx.say("grids: demo visits already exist, leaving them as they are")
        return
    today = timezone.localdate()
    care = set(
        Resident.objects.current().filter(household__building__grid__in=grids, tags__needs_care_visits=True)
        .values_list("household_id", flat=True)
    )  # fmt: skip
    occupied = Household.objects.filter(building__grid__in=grids).exclude(kind=HouseholdKind.VACANT)
    visits = []
    for household_id, grid_id in occupied.order_by("pk").values_list("pk", "building__grid_id"):
        visitor = ctx.shared["grid_workers"][grid_id]
        visits += _visits_for(ctx, household_id, visitor, household_id in care, today)
    bulk_create(Visit, visits, batch_size=2000)
    ctx.say(f"grids: {len(visits)} visits over the past {VISIT_DAYS} days, {len(care)} care households")


def _visits_for(ctx: DemoContext, household_id: int, visitor_id: int, care: bool, today) -> list[Visit]:
    def visit(days_ago: int, kind: str) -> Visit:
        return Visit(
            household_id=household_id, visitor_id=visitor_id, visited_on=today - datetime.timedelta(days=days_ago),
            kind=kind, notes="走访正常，无异常情况。", follow_up_needed=ctx.rng.random() < 0.05,
        )  # fmt: skip

    if care:
        if ctx.rng.random() < CARE_UNVISITED_SHARE:
            return [visit(ctx.rng.randint(45, VISIT_DAYS - 1), VisitKind.CARE)] if ctx.rng.random() < 0.5 else []
        return [
            visit(ctx.rng.randint(0, 29), VisitKind.CARE),
            visit(ctx.rng.randint(30, VISIT_DAYS - 1), VisitKind.CARE),
        ]
    count = ctx.rng.choices((0, 1, 2), (35, 50, 15))[0]
    kinds = (VisitKind.ROUTINE, VisitKind.INFO_CHECK, VisitKind.MUST_ATTEND, VisitKind.MEDIATION)
    return [visit(ctx.rng.randint(0, VISIT_DAYS - 1), ctx.rng.choices(kinds, (70, 20, 5, 5))[0]) for _ in range(count)]
