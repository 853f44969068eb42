"""Demo co-building agreements, their commitment items (the service lists) and progress on them."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from cobuilding.demo.helpers import DAY, DemoPlan, aware_datetime
from cobuilding.models import (
    AgreementStatus,
    CoBuildingAgreement,
    CommitmentItem,
    CommitmentKind,
    CommitmentProgress,
)
from core.demo import DemoContext, add_years, bulk_create, random_date

COMMITMENTS = [
    (CommitmentKind.PARTY_ACTIVITY, "count", "联合开展主题党日活动", (2, 6)),
    (CommitmentKind.VOLUNTEER_SERVICE, "hours", "在职党员志愿服务", (40, 200)),
    (CommitmentKind.VENUE_SHARING, "count", "向居民开放会议室、活动场地", (4, 12)),
    (CommitmentKind.FUNDING, "yuan", "资助老旧小区微改造", (5000, 50000)),
    (CommitmentKind.LEGAL, "count", "法律咨询进社区", (4, 12)),
    (CommitmentKind.HEALTH, "people", "义诊和健康讲座", (50, 300)),
    (CommitmentKind.EMPLOYMENT, "people", "提供就业岗位和技能培训", (10, 60)),
    (CommitmentKind.OTHER_PROFESSIONAL, "count", "专业人员结对帮扶困难家庭", (3, 10)),
]


def build_agreements(ctx: DemoContext, plan: DemoPlan) -> None:
    agreements = []
    expiring = set(ctx.rng.sample(range(sum(map(len, plan.reports_by_community.values()))), 3))
    index = 0
    for community in plan.communities:
        for unit in plan.reports_by_community[community.pk]:
            agreements += _agreements_for(ctx, plan, unit, community, soon=index in expiring)
            index += 1
    bulk_create(CoBuildingAgreement, agreements)
    items = [item for a in agreements for item in _items_for(ctx, plan, a)]
    bulk_create(CommitmentItem, items, batch_size=1000)
    progress = [entry for item in items for entry in _progress_for(ctx, plan, item)]
    bulk_create(CommitmentProgress, progress, batch_size=1000)
    counts = defaultdict(int)
    for agreement in agreements:
        counts[agreement.status] += 1
    verified = sum(item.verified_at is not None for item in items)
    mix = ", ".join(f"{AgreementStatus(k).label} {n}" for k, n in sorted(counts.items()))
    ctx.say(f"cobuilding: {len(agreements)} agreements ({mix}), {len(items)} commitment items ({verified} verified), "
            f"{len(progress)} progress entries, {len(expiring)} agreements ending within 30 days")  # fmt: skip


def _agreements_for(ctx, plan: DemoPlan, unit, community, *, soon: bool) -> list[CoBuildingAgreement]:
    today, rng = plan.today, ctx.rng
    title = f"{unit.name}与{community.name.removesuffix('党委')}共驻共建协议"
    roll = rng.random()
    ends_on = today + (rng.randint(5, 25) if soon else rng.randint(60, 700)) * DAY
    status = AgreementStatus.ACTIVE
    if not soon and roll < 0.05:
        status = AgreementStatus.DRAFT
    elif not soon and roll < 0.07:
        status = AgreementStatus.TERMINATED
    starts_on = add_years(ends_on, -2) + DAY
    signed = None if status == AgreementStatus.DRAFT else min(starts_on - rng.randint(0, 20) * DAY, today)
    if status == AgreementStatus.DRAFT:
        starts_on, ends_on = today + 30 * DAY, add_years(today + 30 * DAY, 2)
    current = CoBuildingAgreement(unit=unit, community=community, title=title, starts_on=starts_on,
                                  ends_on=ends_on, signed_on=signed, status=status)  # fmt: skip
    if rng.random() < 0.25:  # the earlier period, now over
        before = CoBuildingAgreement(unit=unit, community=community, title=f"{title}（上一期）",
                                     starts_on=add_years(starts_on, -2), ends_on=starts_on - DAY,
                                     signed_on=add_years(starts_on, -2), status=AgreementStatus.EXPIRED)  # fmt: skip
        return [before, current]
    return [current]


def _items_for(ctx, plan: DemoPlan, agreement) -> list[CommitmentItem]:
    if agreement.status == AgreementStatus.DRAFT:
        return []
    rng, today = ctx.rng, plan.today
    items = []
    for kind, measure, title, (low, high) in rng.sample(COMMITMENTS, rng.randint(3, 5)):
        due_on = random_date(rng, agreement.starts_on + 60 * DAY, agreement.ends_on)
        if agreement.status == AgreementStatus.ACTIVE and rng.random() < 0.08:
            due_on = today + rng.randint(0, 7) * DAY  # falls due this week: the reminders have something to say
        item = CommitmentItem(agreement=agreement, title=title, kind=kind, measure=measure,
                              target=Decimal(rng.randint(low, high)), due_on=due_on)  # fmt: skip
        done = due_on < today and (agreement.status == AgreementStatus.EXPIRED or rng.random() < 0.75)
        if done:
            verified_on = min(due_on + rng.randint(1, 20) * DAY, today)
            item.verified_at = aware_datetime(verified_on, 16)
            item.verified_by = plan.admin
        items.append(item)
    return items


def _progress_for(ctx, plan: DemoPlan, item: CommitmentItem) -> list[CommitmentProgress]:
    """Verified items reached their target; most others are part-way; some have not started."""
    rng = ctx.rng
    start = max(item.agreement.starts_on, plan.today - 700 * DAY)
    end = min(item.due_on, plan.today)
    if end < start or (item.verified_at is None and rng.random() < 0.3):
        return []
    share = Decimal(1) if item.verified_at else Decimal(rng.randint(20, 90)) / 100
    parts = rng.randint(1, 3)
    amount = (item.target * share / parts).quantize(Decimal("0.01"))
    if amount <= 0:
        return []
    days = sorted(random_date(rng, start, end) for _ in range(parts))
    return [
        CommitmentProgress(item=item, reported_on=day, amount=amount, note="按协议开展服务", reported_by=plan.admin)
        for day in days
    ]
