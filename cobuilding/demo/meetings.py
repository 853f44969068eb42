"""Demo joint meetings: four quarterly meetings per community, items claimed there and carried over when unclosed."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone

from cobuilding.demo.helpers import DAY, DemoPlan, aware_datetime
from cobuilding.models import AgendaItem, AgendaItemProgress, ItemStatus, JointMeeting
from core.demo import DemoContext, bulk_create

AGENDA_TITLES = [
    "老旧小区雨污管网改造", "小区停车位不足", "背街小巷路灯不亮", "垃圾分类点位设置", "独居老人助餐服务",
    "四点半课堂师资", "楼道堆物消防隐患", "电动车集中充电桩建设", "菜市场周边占道经营", "河道沿线环境整治",
    "小区监控盲区", "困难家庭就业帮扶", "社区卫生服务站夜间值守", "公共绿地改造", "物业服务满意度提升",
    "学校周边交通秩序", "无障碍设施改造", "社区文化活动场地", "二次供水设施维护", "流浪犬治理",
]  # fmt: skip


def build_meetings(ctx: DemoContext, plan: DemoPlan) -> None:
    """Four quarterly meetings per community over the past year; unclosed items are carried to the next one."""
    rng, today = ctx.rng, plan.today
    previous: dict[int, list[AgendaItem]] = {}
    totals = defaultdict(int)
    offsets = {c.pk: rng.randint(5, 40) for c in plan.communities}
    for quarter in range(4):
        meetings, items = [], []
        for community in plan.communities:
            held_on = today - ((3 - quarter) * 91 + offsets[community.pk]) * DAY
            meeting = JointMeeting(community=community, held_at=aware_datetime(held_on, 9),
                                   place=f"{community.name.removesuffix('党委')}党群服务中心",
                                   minutes=f"第{quarter + 1}次联席会议：通报社区需求，驻区单位现场认领。")  # fmt: skip
            meetings.append(meeting)
        bulk_create(JointMeeting, meetings)
        through = JointMeeting.attending_units.through
        links = []
        for meeting in meetings:
            units = plan.reports_by_community[meeting.community_id]
            attending = rng.sample(units, min(len(units), rng.randint(6, 10)))
            if plan.liaison_unit in units and plan.liaison_unit not in attending:
                attending.append(plan.liaison_unit)
            meeting.units = attending
            links += [through(jointmeeting_id=meeting.pk, residentunit_id=u.pk) for u in attending]
        bulk_create(through, links, batch_size=2000)
        last = quarter == 3
        for meeting in meetings:
            carried = [_carry(old, meeting) for old in previous.get(meeting.community_id, [])]
            fresh = [AgendaItem(meeting=meeting, title=t, description="居民反映强烈，需驻区单位协助解决。")
                     for t in rng.sample(AGENDA_TITLES, rng.randint(3, 4))]  # fmt: skip
            for item in fresh:
                _claim_at_meeting(ctx, item, meeting)
            for item in carried + fresh:
                _settle(ctx, item, meeting, last=last)
            items += carried + fresh
            totals["carried"] += len(carried)
        if last:
            _liaison_items(plan, meetings, items)
        bulk_create(AgendaItem, items, batch_size=1000)
        previous = defaultdict(list)
        for item in items:
            if item.status != ItemStatus.CLOSED:
                previous[item.meeting.community_id].append(item)
        totals["meetings"] += len(meetings)
        totals["items"] += len(items)
        totals["claimed"] += sum(item.claimed_by_id is not None for item in items)
    _meeting_progress(ctx, plan)
    ctx.say(f"cobuilding: {totals['meetings']} joint meetings, {totals['items']} agenda items "
            f"({totals['claimed']} claimed, {totals['carried']} carried over)")  # fmt: skip


def _carry(old: AgendaItem, meeting: JointMeeting) -> AgendaItem:
    """The copy `carry_over_unclosed_items` makes, made here in bulk for past meetings."""
    return AgendaItem(meeting=meeting, title=old.title, description=old.description, status=old.status,
                      claimed_by_id=old.claimed_by_id, claimed_at=old.claimed_at, due_on=old.due_on,
                      carried_from=old)  # fmt: skip


def _claim_at_meeting(ctx, item: AgendaItem, meeting: JointMeeting) -> None:
    if ctx.rng.random() < 0.7:
        item.status = ItemStatus.CLAIMED
        item.claimed_by = ctx.rng.choice(meeting.units)
        item.claimed_at = meeting.held_at + datetime.timedelta(hours=1)
        item.due_on = meeting.held_at.date() + ctx.rng.randint(30, 120) * DAY


def _settle(ctx, item: AgendaItem, meeting: JointMeeting, *, last: bool) -> None:
    """What became of the item by the next meeting (or by today, at the last one)."""
    if item.status == ItemStatus.OPEN:
        return
    roll = ctx.rng.random()
    if roll < (0.25 if last else 0.5):
        item.status = ItemStatus.CLOSED
        item.closed_at = meeting.held_at + ctx.rng.randint(10, 60) * DAY
        item.closed_at = min(item.closed_at, timezone.now())
    elif roll < 0.8:
        item.status = ItemStatus.IN_PROGRESS


def _liaison_items(plan: DemoPlan, meetings: list[JointMeeting], items: list[AgendaItem]) -> None:
    """At 津北's latest meeting the demo liaison's unit holds one claimed item and sees one open item to claim."""
    unit = plan.liaison_unit
    meeting = next((m for m in meetings if unit in m.units), None)
    if meeting is None:
        return
    mine = [i for i in items if i.meeting is meeting and i.carried_from is None]
    if len(mine) >= 2:
        mine[0].status, mine[0].claimed_by, mine[0].claimed_at = ItemStatus.CLAIMED, unit, meeting.held_at
        mine[0].due_on, mine[0].closed_at = plan.today + 45 * DAY, None
        mine[1].status, mine[1].claimed_by, mine[1].claimed_at, mine[1].due_on = ItemStatus.OPEN, None, None, None
        mine[1].closed_at = None


def _meeting_progress(ctx, plan: DemoPlan) -> None:
    working = AgendaItem.objects.filter(status__in=(ItemStatus.IN_PROGRESS, ItemStatus.CLOSED),
                                        claimed_by__isnull=False).values_list("pk", "meeting__held_at")  # fmt: skip
    notes = ("已现场踏勘，制定整改方案", "已协调资金和施工队伍", "施工已过半", "已完成整改，待社区验收")
    rows = [
        AgendaItemProgress(
            item_id=pk,
            note=note,
            reported_by=plan.admin,
            reported_on=min(held_at.date() + (i + 1) * 10 * DAY, plan.today),
        )  # fmt: skip
        for pk, held_at in working.order_by("pk")
        for i, note in enumerate(notes[: ctx.rng.randint(1, 3)])
    ]
    bulk_create(AgendaItemProgress, rows, batch_size=2000)
