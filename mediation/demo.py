"""Demo mediation cases: a half-year of neighbourhood disputes per grid, at Dongfang's rate (170+ a year for one
community, i.e. a few per grid per half-year), told in order.

Each case is opened after what it came from (a 矛盾调解 visit, or a ticket of the grid), its sessions come after the
opening, its outcome after the last session, its follow-up visit a week or two after the outcome, and nothing lies
in the future: recent cases are still open or in mediation. Cases go through mediation.services, as a grid worker's
would, so the reference, the parties' phones and every rule are the portal's own. The marker: any case at all.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from core.demo import DemoContext
from core.validators import FEMALE, MALE
from grids.models import Visit, VisitKind
from mediation.models import DisputeCase, DisputeKind
from mediation.services import PartyDetails, case_conclude, case_open, case_record_follow_up, session_add
from residents.models import Resident
from services.models import Ticket

CASES_PER_GRID = 3  # per half-year and per --scale
DAYS = 180
OUTCOMES = (("agree", 76), ("refer", 12), ("fail", 12))
AGREEMENTS = {
    DisputeKind.NEIGHBOUR: (
        "一、楼上住户于十日内修复卫生间防水，费用自理。\n二、楼下住户天花板修补费用 600 元由楼上住户承担。"
    ),
    DisputeKind.FAMILY: "一、双方同意赡养老人，每月各支付生活费 800 元。\n二、老人由长子照料，次子每周探望一次。",
    DisputeKind.PROPERTY: "一、物业公司于本月内更换单元门禁。\n二、业主补缴物业费，滞纳金予以免除。",
    DisputeKind.TENANCY: "一、房东于三日内退还押金 1500 元。\n二、租客承担墙面污损修补费用 200 元。",
    DisputeKind.LABOUR: "一、雇主于本月 25 日前结清拖欠工资 4200 元。\n二、双方解除劳务关系，互不追究。",
    DisputeKind.DEBT: "一、借款人分三期归还借款 6000 元，每期 2000 元。\n二、按期还清后出借人不再主张利息。",
    DisputeKind.OTHER: "一、双方互相谅解，今后和睦相处。",
}
REFERRALS = ("市人民法院诉前调解中心", "西津街道司法所", "市劳动人事争议仲裁委员会", "城东派出所")
FAILURES = ("一方拒绝继续调解，已告知可通过诉讼解决。", "双方对赔偿金额分歧较大，未能达成一致。")
SESSION_NOTES = (
    "双方到场陈述各自诉求，调解员释法明理。",
    "背对背分别做工作，双方态度有所缓和。",
    "现场查看后提出调解方案，双方基本认可。",
)


def build(ctx: DemoContext) -> None:
    if DisputeCase.objects.exists():
        ctx.say("mediation: demo cases already exist, leaving them as they are")
        return
    now = timezone.now().replace(second=0, microsecond=0)
    workers = User.objects.in_bulk(list(ctx.shared["grid_workers"].values()))
    made = 0
    for grid in ctx.shared["third_level_grids"]:
        worker = workers[ctx.shared["grid_workers"][grid.pk]]
        made += sum(_case(ctx, grid, worker, source, now) for source in _sources(ctx, grid, now))
    ctx.say(f"mediation: {made} dispute cases over the past {DAYS} days")


def _sources(ctx: DemoContext, grid, now) -> list:
    """What each case of the grid starts from: a mediation visit, a ticket, or nothing (a walk-in)."""
    since = now - datetime.timedelta(days=DAYS)
    visits = list(
        Visit.objects.filter(household__building__grid=grid, kind=VisitKind.MEDIATION, visited_on__gte=since.date())
        .select_related("household__head").order_by("visited_on", "pk")[:2]
    )  # fmt: skip
    tickets = list(Ticket.objects.filter(grid=grid, created_at__gte=since).order_by("created_at", "pk")[:1])
    sources: list = [*visits, *tickets]
    while len(sources) < CASES_PER_GRID * ctx.scale:
        sources.append(None)
    return sources[: CASES_PER_GRID * ctx.scale]


def _opened_at(ctx: DemoContext, source, now) -> datetime.datetime:
    if isinstance(source, Visit):
        day = datetime.datetime.combine(source.visited_on, datetime.time(17, 30), tzinfo=now.tzinfo)
        return min(day, now - datetime.timedelta(hours=1))
    if isinstance(source, Ticket):
        return min(source.created_at + datetime.timedelta(hours=ctx.rng.randint(4, 30)), now).replace(second=0)
    return now - datetime.timedelta(days=ctx.rng.randint(1, DAYS), hours=ctx.rng.randint(0, 8))


def _parties(ctx: DemoContext, grid, source) -> list[PartyDetails]:
    first = None
    if isinstance(source, Visit) and source.household.head_id:
        first = PartyDetails(resident=source.household.head)
    elif isinstance(source, Ticket) and source.reporter_id:
        first = PartyDetails(resident=source.reporter)
    if first is None:
        resident = Resident.objects.filter(household__building__grid=grid).order_by("?").first()
        first = PartyDetails(resident=resident) if resident else _named(ctx)
    return [first, _named(ctx)]


def _named(ctx: DemoContext) -> PartyDetails:
    return PartyDetails(name=ctx.person_name(ctx.rng.choice((MALE, FEMALE))), phone=ctx.mobile())


def _case(ctx: DemoContext, grid, worker, source, now) -> int:
    kind = ctx.rng.choices(list(DisputeKind), (40, 15, 15, 12, 6, 7, 5))[0]
    summary = source.notes if isinstance(source, Visit) and source.notes else f"{kind.label}：{ctx.faker.sentence()}"
    if isinstance(source, Ticket):
        summary = source.description
    case = DisputeCase(
        grid=grid, community=grid.community, kind=kind, summary=summary, mediator=worker,
        opened_at=_opened_at(ctx, source, now), source_visit=source if isinstance(source, Visit) else None,
        source_ticket=source if isinstance(source, Ticket) else None,
    )  # fmt: skip
    case = case_open(case=case, parties=_parties(ctx, grid, source), by=worker)
    moment = case.opened_at
    for note in SESSION_NOTES[: ctx.rng.randint(1, 3)]:
        moment += datetime.timedelta(days=ctx.rng.randint(1, 6), hours=ctx.rng.randint(0, 4))
        if moment >= now:
            return 1  # still being mediated
        session_add(
            case=case, held_at=moment, place="社区调解室", attendees="双方当事人、网格员", notes=note, by=worker
        )
    _conclude(ctx, case, worker, moment, now)
    return 1


def _conclude(ctx: DemoContext, case, worker, last, now) -> None:
    concluded = last + datetime.timedelta(hours=ctx.rng.randint(1, 48))
    if concluded >= now:
        return
    action = ctx.rng.choices([a for a, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
    text = {"agree": AGREEMENTS[case.kind], "refer": ctx.rng.choice(REFERRALS), "fail": ctx.rng.choice(FAILURES)}
    case_conclude(case=case, action=action, text=text[action], concluded_at=concluded, by=worker)
    follow_up = (concluded + datetime.timedelta(days=ctx.rng.randint(7, 14))).date()
    if action == "agree" and follow_up <= timezone.localdate(now):
        case_record_follow_up(case=case, follow_up_on=follow_up, notes="回访：协议已履行，双方关系缓和。", by=worker)
