"""Demo co-building for Ningguo (seed 000): 214 resident units reporting to the 18 communities, agreements with
service lists, about 2,100 in-service Party members reported to their home communities, four quarterly joint
meetings per community with claimed and carried-over items, a few whistles, and one evaluation round.

Every community is linked to 4–8 city departments (registered with the city, each linked to several communities);
the other units are registered with their street and report to one community, some to two. Units whose Party
organization the organization builder made (the hospital, the middle school, the power company...) are tied to it.
Dates are reckoned from the real today, as the grid visits are, because the reminders and the overdue sweep run
against the real clock: a couple of agreements end within 30 days, some commitments fall due this week.

Rows go in with bulk inserts, a quarter of meetings at a time so each carried-over copy can point at its original.
The first department is the marker. With `--members` (an exact number of Party members) no member is added and
only the spine's in-service members report; by default in-service members are added to reach 2,100 × scale.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, add_login_row
from accounts.models import Role, User
from accounts.services import user_create
from cobuilding.models import (
    AgendaItem,
    AgendaItemProgress,
    AgreementStatus,
    CallStatus,
    CoBuildingAgreement,
    CommitmentItem,
    CommitmentKind,
    CommitmentProgress,
    EvaluationRating,
    EvaluationRound,
    FeedbackRating,
    ItemStatus,
    JointMeeting,
    MemberFeedback,
    MemberParticipation,
    MemberReport,
    PartnerCategory,
    RaterKind,
    ResidentUnit,
    UnitKind,
    UnitReport,
    Whistle,
    WhistleCall,
)
from core.demo import DemoContext, DemoDataError, add_years, bulk_create, random_date, spread
from core.validators import FEMALE, MALE
from orgs.models import MemberKind, Organization, PartyMember

UNITS = 214
MEMBER_REPORTS_PER_SCALE = 2100
DEPARTMENTS_PER_COMMUNITY = (4, 8)
SECOND_COMMUNITY_SHARE = 0.15  # units that also report to a neighbouring community of their street
LIAISON_USERNAME = "unit"
DAY = datetime.timedelta(days=1)

# City departments (部门合伙人), registered with the city and linked to several communities each.
DEPARTMENTS = [
    "宁国市民政局", "宁国市住房和城乡建设局", "宁国市城市管理局", "宁国市公安局", "宁国市卫生健康委员会",
    "宁国市教育体育局", "宁国市人力资源和社会保障局", "宁国市市场监督管理局", "宁国市司法局", "宁国市财政局",
    "宁国市自然资源和规划局", "宁国市交通运输局", "宁国市水利局", "宁国市农业农村局", "宁国市文化旅游局",
    "宁国市应急管理局", "宁国市退役军人事务局", "宁国市医疗保障局", "国家税务总局宁国市税务局", "宁国市消防救援大队",
    "宁国市妇女联合会", "宁国市总工会", "共青团宁国市委", "宁国市残疾人联合会", "宁国市科学技术协会",
    "宁国市红十字会", "宁国市审计局", "宁国市商务局", "宁国市发展和改革委员会", "宁国市数据资源管理局",
]  # fmt: skip
# Units whose Party organization the organization builder made: (name, kind, partner category, Party organization).
KNOWN_UNITS = [
    ("宁国市人民医院", UnitKind.HOSPITAL, PartnerCategory.PUBLIC_WELFARE, "宁国市人民医院党委"),
    ("宁国中学", UnitKind.SCHOOL, PartnerCategory.PUBLIC_WELFARE, "宁国中学党委"),
    ("国网宁国市供电公司", UnitKind.STATE_ENTERPRISE, PartnerCategory.DEPARTMENT, "国网宁国市供电公司党委"),
    ("西津街道社区卫生服务中心", UnitKind.PUBLIC_INSTITUTION, PartnerCategory.PUBLIC_WELFARE,
     "西津街道社区卫生服务中心党支部"),
    ("东正国际装饰城", UnitKind.TWO_NEW_ENTERPRISE, PartnerCategory.COMMERCIAL, "东正国际装饰城党支部"),
    ("宁阳物业服务有限公司", UnitKind.PROPERTY_COMPANY, PartnerCategory.PROPERTY, "宁阳物业服务有限公司党支部"),
    ("港口电商产业园", UnitKind.TWO_NEW_ENTERPRISE, PartnerCategory.COMMERCIAL, "港口电商产业园党支部"),
    ("红叶家政服务有限公司", UnitKind.TWO_NEW_ENTERPRISE, PartnerCategory.COMMERCIAL, "红叶家政服务有限公司党支部"),
    ("真诚公益服务中心", UnitKind.SOCIAL_ORGANIZATION, PartnerCategory.PUBLIC_WELFARE, "真诚公益服务中心党支部"),
    ("雨宵爱心养老服务中心", UnitKind.SOCIAL_ORGANIZATION, PartnerCategory.PUBLIC_WELFARE,
     "雨宵爱心养老服务中心党支部"),
]  # fmt: skip
# Known units by the community they report to first (code suffix); the others go where the rng puts them.
KNOWN_HOMES = {
    "宁国市人民医院": "JB",
    "宁国中学": "CZ",
    "国网宁国市供电公司": "HL",
    "西津街道社区卫生服务中心": "XM",
    "东正国际装饰城": "CD",
    "宁阳物业服务有限公司": "JB",
    "港口电商产业园": "GK",
    "红叶家政服务有限公司": "NS",
    "真诚公益服务中心": "NY",
    "雨宵爱心养老服务中心": "ZX",
}
# Generated units: kind, partner category, weight, and name patterns ({place} a community, {head} a trade name).
GENERATED_KINDS = [
    (UnitKind.SCHOOL, PartnerCategory.PUBLIC_WELFARE, 12, ["{place}小学", "{place}幼儿园", "{place}初级中学"]),
    (
        UnitKind.HOSPITAL,
        PartnerCategory.PUBLIC_WELFARE,
        8,
        ["{place}社区卫生服务站", "{head}口腔诊所", "{head}中医诊所"],
    ),
    (
        UnitKind.PUBLIC_INSTITUTION,
        PartnerCategory.DEPARTMENT,
        10,
        ["{place}便民服务中心", "{place}文化站", "{place}供水服务站", "{place}邮政所"],
    ),
    (
        UnitKind.STATE_ENTERPRISE,
        PartnerCategory.DEPARTMENT,
        8,
        ["中国移动{place}营业厅", "中国电信{place}营业厅", "宁国农商银行{place}支行", "中国工商银行{place}分理处"],
    ),
    (UnitKind.PROPERTY_COMPANY, PartnerCategory.PROPERTY, 18, ["{head}物业服务有限公司", "{place}{head}物业管理处"]),
    (
        UnitKind.TWO_NEW_ENTERPRISE,
        PartnerCategory.COMMERCIAL,
        20,
        ["宁国{head}科技有限公司", "宁国{head}橡塑有限公司", "宁国{head}机械制造有限公司", "宁国{head}建材有限公司"],
    ),
    (
        UnitKind.SOCIAL_ORGANIZATION,
        PartnerCategory.PUBLIC_WELFARE,
        12,
        ["{place}{head}志愿服务队", "宁国市{head}社工服务中心", "{place}老年协会"],
    ),
    (
        UnitKind.COMMERCIAL_PARTNER,
        PartnerCategory.COMMERCIAL,
        12,
        ["{head}超市{place}店", "{head}大药房{place}店", "{place}{head}餐饮店"],
    ),
]
TRADE_HEADS = [
    "阳光",
    "锦绣",
    "翠竹",
    "金色",
    "春天",
    "滨河",
    "世纪",
    "和平",
    "香樟",
    "玉兰",
    "桂花",
    "南湖",
    "东方",
    "书香",
    "紫荆",
    "绿洲",
    "鸿运",
    "幸福",
    "山水",
    "恒泰",
    "瑞丰",
    "华宇",
    "天成",
    "宏达",
    "永安",
    "百川",
]
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
AGENDA_TITLES = [
    "老旧小区雨污管网改造", "小区停车位不足", "背街小巷路灯不亮", "垃圾分类点位设置", "独居老人助餐服务",
    "四点半课堂师资", "楼道堆物消防隐患", "电动车集中充电桩建设", "菜市场周边占道经营", "河道沿线环境整治",
    "小区监控盲区", "困难家庭就业帮扶", "社区卫生服务站夜间值守", "公共绿地改造", "物业服务满意度提升",
    "学校周边交通秩序", "无障碍设施改造", "社区文化活动场地", "二次供水设施维护", "流浪犬治理",
]  # fmt: skip
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
WHISTLES = [
    ("JB", "津北菜市场雨污管网堵塞外溢", "雨后污水外溢，需住建、城管和物业联合处置。"),
    ("CD", "城东小区高空坠物隐患", "外墙瓷砖脱落，需应急、住建部门和物业排查。"),
    ("HL", "河沥路段夜间施工扰民", "夜间施工噪声投诉集中，需城管、生态环境部门处置。"),
    ("NS", "南山老旧小区电动车飞线充电", "存在消防隐患，需消防、供电和物业联合整治。"),
    ("GK", "港口片区占道经营", "早市占道严重，需市场监管、城管部门处置。"),
    ("ZX", "中溪河道垃圾堆积", "河道沿线垃圾堆积，需水利、城管部门清理。"),
]


@dataclass
class _Plan:
    """What the builder made, passed between its steps (nothing here is read back from the database)."""

    today: datetime.date
    admin: User
    communities: list[Organization]
    units: list[ResidentUnit] = field(default_factory=list)
    reports_by_community: dict[int, list[ResidentUnit]] = field(default_factory=lambda: defaultdict(list))
    liaison_unit: ResidentUnit | None = None


def build(ctx: DemoContext) -> None:
    communities = ctx.shared["communities"]
    unit = ResidentUnit.objects.filter(name=DEPARTMENTS[0]).first()
    if unit is not None:
        ctx.say("cobuilding: the demo units already exist, leaving them as they are")
        liaison_unit = ResidentUnit.objects.filter(liaison_users__username=LIAISON_USERNAME).first()
    else:
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        if admin is None:
            raise DemoDataError("cobuilding: the demo needs the superuser the accounts builder makes")
        plan = _Plan(today=timezone.localdate(), admin=admin, communities=communities)
        _build_units(ctx, plan)
        _build_agreements(ctx, plan)
        _build_members(ctx, plan)
        _build_meetings(ctx, plan)
        _build_whistles(ctx, plan)
        _build_evaluations(ctx, plan)
        liaison_unit = plan.liaison_unit
    ctx.shared["resident_units"] = list(ResidentUnit.objects.order_by("name"))
    if liaison_unit is not None:
        _liaison_login(ctx, liaison_unit)


# --- Units and their reports --------------------------------------------------------------------------------------


def _build_units(ctx: DemoContext, plan: _Plan) -> None:
    by_name = {org.name: org for org in ctx.shared["orgs_by_code"].values()}
    city, streets = ctx.shared["city"], {s.pk: s for s in ctx.shared["streets"]}
    departments = [_unit(ctx, name, UnitKind.GOVERNMENT, PartnerCategory.DEPARTMENT, city) for name in DEPARTMENTS]
    market = by_name.get("宁国市市场监督管理局机关党支部")
    departments[DEPARTMENTS.index("宁国市市场监督管理局")].party_organization = market
    homes: dict[str, Organization] = {c.code.rsplit("-", 1)[-1]: c for c in plan.communities}
    known, known_home = [], {}
    for name, kind, category, org_name in KNOWN_UNITS:
        home = homes[KNOWN_HOMES[name]]
        unit = _unit(ctx, name, kind, category, streets[home.parent_id], by_name.get(org_name))
        known.append(unit)
        known_home[name] = home
    generated_total = UNITS - len(departments) - len(known)
    per_community = spread(ctx.rng, generated_total, len(plan.communities), minimum=5)
    names = set(DEPARTMENTS) | {spec[0] for spec in KNOWN_UNITS}
    generated = {
        c.pk: _generated_units(ctx, c, streets[c.parent_id], n, names)
        for c, n in zip(plan.communities, per_community, strict=True)
    }
    plan.units = departments + known + [u for us in generated.values() for u in us]
    bulk_create(ResidentUnit, plan.units)
    pairs = _report_pairs(ctx, plan, departments, known, known_home, generated)
    reports = [
        UnitReport(
            unit=unit,
            community=community,
            reported_on=random_date(ctx.rng, datetime.date(2019, 3, 1), plan.today),
            liaison_name=ctx.person_name(MALE if ctx.rng.random() < 0.5 else FEMALE),
            liaison_phone=ctx.mobile(),
        )  # fmt: skip
        for unit, community in pairs
    ]
    bulk_create(UnitReport, reports)
    for unit, community in pairs:
        plan.reports_by_community[community.pk].append(unit)
    per_unit = defaultdict(int)
    for unit, _community in pairs:
        per_unit[unit.pk] += 1
    shared = sum(n > 1 for pk, n in per_unit.items() if pk not in {d.pk for d in departments})
    ctx.say(f"cobuilding: {len(plan.units)} resident units ({len(departments)} city departments), "
            f"{len(reports)} unit reports, {shared} street units reporting to two communities")  # fmt: skip


def _unit(ctx, name, kind, category, registered_with, party_organization=None) -> ResidentUnit:
    return ResidentUnit(
        name=name, kind=kind, partner_category=category, registered_with=registered_with,
        party_organization=party_organization, contact_person=ctx.person_name(MALE if ctx.rng.random() < 0.55
                                                                               else FEMALE),
        contact_phone=ctx.mobile(), address=f"宁国市{ctx.rng.choice(('津河路', '宁阳大道', '河沥大道', '南山路'))}"
        f"{ctx.rng.randint(1, 399)}号", party_member_count=ctx.rng.randint(3, 60),
    )  # fmt: skip


def _generated_units(ctx: DemoContext, community, street, count: int, names: set[str]) -> list[ResidentUnit]:
    """`count` units named after the community or a trade name; `names` keeps them unique across the city."""
    place = community.name.removesuffix("社区党委")
    weights = [spec[2] for spec in GENERATED_KINDS]
    units = []
    while len(units) < count:
        kind, category, _weight, patterns = ctx.rng.choices(GENERATED_KINDS, weights)[0]
        name = ctx.rng.choice(patterns).format(place=place, head=ctx.rng.choice(TRADE_HEADS))
        if name in names:
            continue
        names.add(name)
        units.append(_unit(ctx, name, kind, category, street))
    return units


def _report_pairs(ctx, plan: _Plan, departments, known, known_home, generated) -> list[tuple]:
    """Departments to 4–8 communities each way round; street units to their community, some to a neighbour too."""
    pairs = []
    for community in plan.communities:
        for unit in ctx.rng.sample(departments, ctx.rng.randint(*DEPARTMENTS_PER_COMMUNITY)):
            pairs.append((unit, community))
    neighbours = defaultdict(list)
    for community in plan.communities:
        neighbours[community.parent_id].append(community)
    for unit in known:
        pairs.append((unit, known_home[unit.name]))
    for community in plan.communities:
        others = [c for c in neighbours[community.parent_id] if c.pk != community.pk]
        for index, unit in enumerate(generated[community.pk]):
            pairs.append((unit, community))
            # The 津北 liaison's unit (the first) always reports to two communities: the shared-unit case to see.
            if index == 0 and community.code.endswith("-JB"):
                plan.liaison_unit = unit
                pairs.append((unit, others[0]))
            elif ctx.rng.random() < SECOND_COMMUNITY_SHARE:
                pairs.append((unit, ctx.rng.choice(others)))
    return pairs


# --- Agreements and service lists ---------------------------------------------------------------------------------


def _build_agreements(ctx: DemoContext, plan: _Plan) -> None:
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


def _agreements_for(ctx, plan: _Plan, unit, community, *, soon: bool) -> list[CoBuildingAgreement]:
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


def _items_for(ctx, plan: _Plan, agreement) -> list[CommitmentItem]:
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
            item.verified_at = _aware(verified_on, 16)
            item.verified_by = plan.admin
        items.append(item)
    return items


def _progress_for(ctx, plan: _Plan, item: CommitmentItem) -> list[CommitmentProgress]:
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


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# --- In-service members -------------------------------------------------------------------------------------------


def _build_members(ctx: DemoContext, plan: _Plan) -> None:
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


def _add_in_service_members(ctx: DemoContext, plan: _Plan, have: int) -> list[PartyMember]:
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


def _count_unit_members(plan: _Plan) -> None:
    counts = dict(
        PartyMember.objects.filter(organization__in=[u.party_organization_id for u in plan.units if
                                                     u.party_organization_id], is_active=True)
        .values_list("organization").annotate(n=Count("pk"))
    )  # fmt: skip
    changed = [u for u in plan.units if u.party_organization_id in counts]
    for unit in changed:
        unit.party_member_count = counts[unit.party_organization_id]
    ResidentUnit.objects.bulk_update(changed, ["party_member_count"])


# --- Joint meetings -----------------------------------------------------------------------------------------------


def _build_meetings(ctx: DemoContext, plan: _Plan) -> None:
    """Four quarterly meetings per community over the past year; unclosed items are carried to the next one."""
    rng, today = ctx.rng, plan.today
    previous: dict[int, list[AgendaItem]] = {}
    totals = defaultdict(int)
    offsets = {c.pk: rng.randint(5, 40) for c in plan.communities}
    for quarter in range(4):
        meetings, items = [], []
        for community in plan.communities:
            held_on = today - ((3 - quarter) * 91 + offsets[community.pk]) * DAY
            meeting = JointMeeting(community=community, held_at=_aware(held_on, 9),
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


def _liaison_items(plan: _Plan, meetings: list[JointMeeting], items: list[AgendaItem]) -> None:
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


def _meeting_progress(ctx, plan: _Plan) -> None:
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


# --- Whistles -----------------------------------------------------------------------------------------------------


def _build_whistles(ctx: DemoContext, plan: _Plan) -> None:
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
    return call


# --- Democratic evaluation ----------------------------------------------------------------------------------------


def _build_evaluations(ctx: DemoContext, plan: _Plan) -> None:
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


# --- The liaison login --------------------------------------------------------------------------------------------


def _liaison_login(ctx: DemoContext, unit: ResidentUnit) -> None:
    user = User.objects.filter(username=LIAISON_USERNAME).select_related("unit").first()
    created = user is None
    if created:
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        user = user_create(username=LIAISON_USERNAME, password=DEMO_PASSWORD, role=Role.UNIT_LIAISON, scope=None,
                           by=admin, unit=unit, first_name=f"{unit.name}联络员")  # fmt: skip
    add_login_row(ctx, user, created)
