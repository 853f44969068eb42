"""Demo in-service Party members reported to their home communities, their activities and yearly feedback."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count

from cobuilding.demo.helpers import DAY, DemoPlan
from cobuilding.models import FeedbackRating, MemberFeedback, MemberParticipation, MemberReport, ResidentUnit
from core.demo import DemoContext, add_years, bulk_create, random_date
from core.validators import FEMALE, MALE
from orgs.models import MemberKind, Organization, PartyMember

MEMBER_REPORTS_PER_SCALE = 2100
SERVICE_POSTS = ["文明劝导岗", "政策宣讲岗", "环境卫生岗", "平安巡逻岗", "关爱帮扶岗", "文体活动岗", "法律服务岗",
                 "垃圾分类督导岗"]  # fmt: skip
ACTIVITIES = [
    "社区环境整治",
    "垃圾分类督导",
    "文明交通劝导",
    "关爱独居老人",
    "防诈骗宣传",
    "义务植树",
    "四点半课堂辅导",
    "核酸检测志愿服务",
    "创文志愿服务",
    "邻里节活动",
]


def build_members(ctx: DemoContext, plan: DemoPlan) -> None:
    communities_by_code = {c.code: c for c in plan.communities}
    reported = set(MemberReport.objects.filter(is_active=True).values_list("member_id", flat=True))
    existing = list(
        PartyMember.objects.filter(kind=MemberKind.IN_SERVICE, is_active=True).exclude(pk__in=reported)
        .select_related("organization").order_by("pk")
    )  # fmt: skip
    added = _add_in_service_members(ctx, plan, len(existing) + len(reported))
    members = existing + added
    reports = [
        MemberReport(
            member=m,
            community=_home_community(ctx, m.organization, communities_by_code, plan.communities),
            reported_on=random_date(ctx.rng, max(m.joined_on or plan.today, datetime.date(2019, 1, 1)), plan.today),
            service_post=ctx.rng.choice(SERVICE_POSTS),
        )  # fmt: skip
        for m in members
    ]
    bulk_create(MemberReport, reports, batch_size=1000)
    participations, feedback = [], []
    last_year = plan.today.year - 1
    for report in reports:
        for _ in range(ctx.rng.choices((0, 1, 2, 3, 4), (10, 25, 30, 20, 15))[0]):
            participations.append(MemberParticipation(
                report=report, activity=ctx.rng.choice(ACTIVITIES), hours=Decimal(ctx.rng.randint(2, 8)) / 2,
                took_part_on=random_date(ctx.rng, max(report.reported_on, plan.today - 330 * DAY), plan.today),
            ))  # fmt: skip
        if report.reported_on.year <= last_year:
            rating = ctx.rng.choices(list(FeedbackRating), (35, 45, 15, 5))[0]
            feedback.append(MemberFeedback(report=report, year=last_year, rating=rating,
                                           comment="积极参加社区活动，服务群众热情。" if rating in ("excellent", "good")
                                           else "参加社区活动次数偏少。"))  # fmt: skip
    bulk_create(MemberParticipation, participations, batch_size=2000)
    bulk_create(MemberFeedback, feedback, batch_size=1000)
    _count_unit_members(plan)
    ctx.say(f"cobuilding: {len(reports)} in-service members reported ({len(added)} added), "
            f"{len(participations)} activities, {len(feedback)} feedback for {last_year}")  # fmt: skip


def _add_in_service_members(ctx: DemoContext, plan: DemoPlan, have: int) -> list[PartyMember]:
    """New in-service members in the units' Party organizations (most) and in the communities, bulk-inserted."""
    if ctx.members is not None:  # an exact member count was asked for: add nobody
        return []
    wanted = MEMBER_REPORTS_PER_SCALE * ctx.scale - have
    if wanted <= 0:
        return []
    ctx.id_numbers.reserve(PartyMember.objects.filter(is_active=True).values_list("id_number", flat=True))
    unit_orgs = [u.party_organization for u in plan.units if u.party_organization_id]
    places = unit_orgs + list(plan.communities)
    weights = [20] * len(unit_orgs) + [4] * len(plan.communities)
    members = []
    for org in ctx.rng.choices(places, weights, k=wanted):
        gender = MALE if ctx.rng.random() < 0.55 else FEMALE
        birth = random_date(ctx.rng, datetime.date(1966, 1, 1), datetime.date(2000, 12, 31))
        joined = min(random_date(ctx.rng, add_years(birth, 19), add_years(birth, 40)), plan.today - 60 * DAY)
        members.append(PartyMember(
            name=ctx.person_name(gender), gender=gender, birth_date=birth, id_number=ctx.id_number(birth, gender),
            phone=ctx.mobile(), joined_on=joined, kind=MemberKind.IN_SERVICE, organization=org,
        ))  # fmt: skip
    return bulk_create(PartyMember, members, batch_size=1000)


def _home_community(ctx, org: Organization, by_code: dict, communities) -> Organization:
    """Members of a community's own organizations live there; members of units live anywhere in the city."""
    community = by_code.get("-".join(org.code.split("-")[:3]))
    return community if community is not None else ctx.rng.choice(communities)


def _count_unit_members(plan: DemoPlan) -> None:
    counts = dict(
        PartyMember.objects.filter(organization__in=[u.party_organization_id for u in plan.units if
                                                     u.party_organization_id], is_active=True)
        .values_list("organization").annotate(n=Count("pk"))
    )  # fmt: skip
    changed = [u for u in plan.units if u.party_organization_id in counts]
    for unit in changed:
        unit.party_member_count = counts[unit.party_organization_id]
    ResidentUnit.objects.bulk_update(changed, ["party_member_count"])
