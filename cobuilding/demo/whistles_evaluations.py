"""Demo whistles (a community calls units to a problem) and last year's democratic evaluation of the units."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone

from cobuilding.demo.helpers import DAY, DemoPlan
from cobuilding.models import CallStatus, EvaluationRating, EvaluationRound, RaterKind, Whistle, WhistleCall
from core.demo import DemoContext, bulk_create

HOUR = datetime.timedelta(hours=1)

WHISTLES = [
    ("JB", "津北菜市场雨污管网堵塞外溢", "雨后污水外溢，需住建、城管和物业联合处置。"),
    ("CD", "城东小区高空坠物隐患", "外墙瓷砖脱落，需应急、住建部门和物业排查。"),
    ("HL", "河沥路段夜间施工扰民", "夜间施工噪声投诉集中，需城管、生态环境部门处置。"),
    ("NS", "南山老旧小区电动车飞线充电", "存在消防隐患，需消防、供电和物业联合整治。"),
    ("GK", "港口片区占道经营", "早市占道严重，需市场监管、城管部门处置。"),
    ("ZX", "中溪河道垃圾堆积", "河道沿线垃圾堆积，需水利、城管部门清理。"),
]


def build_whistles(ctx: DemoContext, plan: DemoPlan) -> None:
    """Six whistles: answered in time, answered late, left overdue, and one still open with a deadline near."""
    now = timezone.now()
    homes = {c.code.rsplit("-", 1)[-1]: c for c in plan.communities}
    whistles, calls = [], []
    outcomes = ["on_time", "late", "overdue", "on_time", "late", "overdue"]
    for index, (home, title, description) in enumerate(WHISTLES):
        community = homes[home]
        blown = now - (ctx.rng.randint(10, 60) * DAY if index else 2 * DAY)
        whistle = Whistle(community=community, title=title, description=description, blown_at=blown)
        whistles.append(whistle)
        units = ctx.rng.sample(plan.reports_by_community[community.pk], 3)
        if index == 0 and plan.liaison_unit is not None:
            units = [plan.liaison_unit, *[u for u in units if u is not plan.liaison_unit][:2]]
        for number, unit in enumerate(units):
            outcome = "pending" if index == 0 and number == 0 else outcomes[(index + number) % len(outcomes)]
            calls.append(_call(ctx, whistle, unit, blown, outcome, now))
    bulk_create(Whistle, whistles)
    bulk_create(WhistleCall, calls)  # each call's whistle_id is taken from its whistle, saved just above
    counts = defaultdict(int)
    for call in calls:
        counts[call.status] += 1
    mix = ", ".join(f"{CallStatus(k).label} {n}" for k, n in sorted(counts.items()))
    ctx.say(f"cobuilding: {len(whistles)} whistles, {len(calls)} calls ({mix})")


def _call(ctx, whistle: Whistle, unit, blown: datetime.datetime, outcome: str, now) -> WhistleCall:
    hour = datetime.timedelta(hours=1)
    call = WhistleCall(whistle=whistle, unit=unit, acknowledge_by=blown + 24 * hour, respond_by=blown + 72 * hour)
    if outcome == "pending":  # acknowledged, response due within the day: the deadline reminder's case
        call.status, call.acknowledged_at = CallStatus.ACKNOWLEDGED, blown + 3 * hour
        call.respond_by = now + 20 * hour
    elif outcome == "on_time":
        call.status, call.acknowledged_at = CallStatus.RESPONDED, blown + ctx.rng.randint(1, 20) * hour
        call.responded_at = call.acknowledged_at + ctx.rng.randint(4, 40) * hour
        call.response = "已派员现场处置，问题已解决。"
    elif outcome == "late":
        call.status, call.acknowledged_at = CallStatus.RESPONDED, blown + ctx.rng.randint(2, 20) * hour
        call.overdue_at = call.respond_by + hour
        call.responded_at = call.respond_by + ctx.rng.randint(6, 72) * hour
        call.response = "已协调处置，因涉及多部门，答复晚于期限。"
    else:
        call.status, call.overdue_at = CallStatus.OVERDUE, call.acknowledge_by + hour
    return _as_of(ctx, call, blown, now)


def _as_of(ctx, call: WhistleCall, blown: datetime.datetime, now) -> WhistleCall:
    """The call as it stands now: a lapse or an answer the outcome would bring later has not happened yet (a recent
    whistle's call is acknowledged and still running, or still waiting if even the acknowledgement lies ahead)."""
    if all(moment is None or moment <= now for moment in (call.acknowledged_at, call.responded_at, call.overdue_at)):
        return call
    call.status, call.responded_at, call.overdue_at, call.response = CallStatus.ACKNOWLEDGED, None, None, ""
    call.acknowledged_at = min(call.acknowledged_at or blown + ctx.rng.randint(1, 20) * HOUR, call.acknowledge_by)
    if call.acknowledged_at > now:
        call.status, call.acknowledged_at = CallStatus.PENDING, None
    return call


# --- Democratic evaluation ----------------------------------------------------------------------------------------


def build_evaluations(ctx: DemoContext, plan: DemoPlan) -> None:
    """Last year's round in each street: residents and Party members rate the units reporting there."""
    year = plan.today.year - 1
    streets = {s.pk: s for s in ctx.shared["streets"]}
    rounds = {pk: EvaluationRound(organization=s, year=year, opens_on=datetime.date(year, 12, 1),
                                  closes_on=datetime.date(year, 12, 31)) for pk, s in streets.items()}  # fmt: skip
    bulk_create(EvaluationRound, list(rounds.values()))
    street_of = {}
    for community in plan.communities:
        for unit in plan.reports_by_community[community.pk]:
            street_of.setdefault(unit.pk, community.parent_id)
    comments = {5: "服务主动，群众满意。", 4: "积极参与社区共建。", 3: "参与一般，希望多开展活动。", 2: "参与较少。",
                1: "基本未参与。"}  # fmt: skip
    ratings = []
    for unit in plan.units:
        if unit.pk not in street_of:
            continue
        for _ in range(ctx.rng.randint(6, 14)):
            score = ctx.rng.choices((5, 4, 3, 2, 1), (40, 35, 15, 7, 3))[0]
            ratings.append(EvaluationRating(
                round=rounds[street_of[unit.pk]], unit=unit, score=score, comment=comments[score],
                rater_kind=RaterKind.RESIDENT if ctx.rng.random() < 0.6 else RaterKind.PARTY_MEMBER,
            ))  # fmt: skip
    bulk_create(EvaluationRating, ratings, batch_size=2000)
    ctx.say(f"cobuilding: democratic evaluation {year}, {len(rounds)} rounds, {len(ratings)} ratings")
