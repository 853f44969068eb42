"""Demo services for Ningguo: the catalogue, the published lists, a year of tickets, the point-order menu,
micro-wishes and the housekeeper project library.

- The catalogue is the 56 service items of Ningguo's community service centres (seed 000: "开通就业服务、法律咨询、
  家政服务等56个服务项目"); those seed 000 names are here by name, the rest are the usual items of a community
  centre, across every category, each with its SLA.
- The micro-power list (20 items) and the staff conduct negative list (24 items) are Qingshen's (seed 003), published
  city-wide.
- Tickets at Qingshen's rate (seed 003: 20,000+ matters a year for 9 communities, i.e. about 2,200 per community): for
  the demo's 18 communities that would be 40,000 a year; to keep `seed_demo` fast the default is 3,000 tickets over
  the past year, and `--scale N` multiplies it. Old tickets are closed (most rated 3–5, some closed unrated), a few
  rejected; the last fortnight holds every open state; a few are overdue now (the escalation sweep will pick them up)
  and a few have already climbed to the community, the street, or the district's flag.
- A point-order menu per community (services of the community's Party organization, of in-service Party members
  and of resident units), with part of the year's tickets being orders of it.
- 534 fulfilled micro-wishes (seed 001), most confirmed by the resident, and some open ones on the wall.
- The 236 housekeeper projects (seed 002) of the three kinds; the claimed projects of past years are rated, with
  5 exemplary and 10 excellent among them.

Dates are reckoned from the real now, as the grid visits are, because the SLA sweep runs against the real clock.
Tickets go in with bulk inserts: references are built here in the format ticket_create uses (PREFIX-YYYYMMDD-NNNN),
continuing any day's existing count, and the TicketCounter rows are raised to each day's last number so tickets
filed afterwards continue the sequence. The first catalogue item is the marker: when it exists the builder skips.
"""

from __future__ import annotations

import contextlib
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Role, User
from cobuilding.models import AgreementStatus, CoBuildingAgreement, MemberReport
from core.demo import DemoContext, DemoDataError, bulk_create, spread
from core.validators import FEMALE, MALE
from grids.models import Grid
from orgs.models import Organization
from residents.models import Resident
from services.calendar import add_working_hours
from services.models import (
    Card,
    Channel,
    EscalationLimit,
    HandlingLevel,
    HousekeeperProject,
    ListKind,
    MenuService,
    MicroWish,
    ProjectKind,
    ProjectRating,
    ProviderKind,
    PublishedListEntry,
    ServiceCategory,
    ServiceItem,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketStatus,
    WishStatus,
)

TICKETS_PER_SCALE = 3000
FULFILLED_WISHES = 534  # seed 001
OPEN_WISHES = 60
HOUSEKEEPER_PROJECTS = 236  # seed 002
OVERDUE_TICKETS = 12
ESCALATED_TICKETS = 10
DEFAULT_ESCALATION_HOURS = {"grid": 8, "community": 16, "street": 24, "district": 40}
C, L = ServiceCategory, HandlingLevel

# (name, category, handling level, response hours, resolution hours, can proxy, requirements, materials)
CATALOGUE = [
    (
        "就业服务（求职登记、岗位推荐）",
        C.SOCIAL_SECURITY,
        L.COMMUNITY,
        4,
        21,
        True,
        "辖区内有就业意愿的劳动者",
        "身份证、学历证明",
    ),
    ("法律咨询", C.DISPUTES, L.COMMUNITY, 4, 14, False, "辖区居民", "相关合同、票据等材料"),
    ("家政服务对接", C.OTHER, L.COMMUNITY, 4, 14, True, "辖区居民", "无"),
    (
        "就业困难人员认定",
        C.SOCIAL_SECURITY,
        L.STREET,
        4,
        70,
        True,
        "符合就业困难人员条件",
        "身份证、户口簿、失业登记证明",
    ),
    ("失业登记", C.SOCIAL_SECURITY, L.COMMUNITY, 4, 21, True, "法定劳动年龄内失业人员", "身份证、解除劳动合同证明"),
    ("灵活就业人员社保登记", C.SOCIAL_SECURITY, L.COMMUNITY, 4, 21, True, "灵活就业人员", "身份证"),
    (
        "城乡居民养老保险参保登记",
        C.SOCIAL_SECURITY,
        L.COMMUNITY,
        4,
        21,
        True,
        "年满16周岁未参加职工养老保险",
        "身份证、户口簿",
    ),
    ("城乡居民医疗保险参保缴费", C.SOCIAL_SECURITY, L.COMMUNITY, 4, 14, True, "辖区户籍居民", "身份证、户口簿"),
    ("养老保险待遇资格认证", C.SOCIAL_SECURITY, L.COMMUNITY, 4, 14, True, "领取养老金人员", "身份证"),
    (
        "最低生活保障申请",
        C.CIVIL_AFFAIRS,
        L.STREET,
        4,
        140,
        True,
        "家庭人均收入低于当地低保标准",
        "身份证、户口簿、收入证明",
    ),
    (
        "特困人员供养申请",
        C.CIVIL_AFFAIRS,
        L.STREET,
        4,
        140,
        True,
        "无劳动能力、无生活来源、无法定赡养人",
        "身份证、户口簿",
    ),
    ("临时救助申请", C.CIVIL_AFFAIRS, L.STREET, 4, 70, True, "遭遇突发困难的家庭", "身份证、困难情况说明"),
    ("残疾人两项补贴申请", C.CIVIL_AFFAIRS, L.STREET, 4, 140, True, "持证困难残疾人、重度残疾人", "身份证、残疾证"),
    ("残疾人证办理", C.CIVIL_AFFAIRS, L.STREET, 4, 140, True, "辖区残疾人", "身份证、照片"),
    ("高龄津贴申请", C.ELDERLY_CARE, L.COMMUNITY, 4, 70, True, "80周岁以上老人", "身份证、户口簿、银行卡"),
    ("居家养老服务申请", C.ELDERLY_CARE, L.COMMUNITY, 4, 35, True, "60周岁以上有服务需求的老人", "身份证"),
    ("日间照料中心入托", C.ELDERLY_CARE, L.COMMUNITY, 4, 21, False, "生活基本自理的老人", "身份证、体检报告"),
    ("老年人助餐服务", C.ELDERLY_CARE, L.COMMUNITY, 2, 14, False, "60周岁以上老人", "身份证"),
    ("独居老人探访", C.ELDERLY_CARE, L.GRID, 2, 14, False, "独居、空巢老人", "无"),
    ("老年人优待证办理", C.ELDERLY_CARE, L.COMMUNITY, 4, 21, True, "60周岁以上老人", "身份证、照片"),
    ("婚姻登记预约指引", C.CIVIL_AFFAIRS, L.COMMUNITY, 4, 7, False, "辖区居民", "身份证、户口簿"),
    ("殡葬惠民补贴申请", C.CIVIL_AFFAIRS, L.STREET, 4, 70, True, "辖区户籍逝者家属", "死亡证明、火化证明"),
    ("退役军人优待证申领", C.CIVIL_AFFAIRS, L.STREET, 4, 70, True, "退役军人", "退役证、身份证"),
    (
        "居住证办理",
        C.HOUSEHOLD_REGISTRATION,
        L.COMMUNITY,
        4,
        35,
        True,
        "在本市居住半年以上的流动人口",
        "身份证、居住证明",
    ),
    ("户籍证明开具", C.HOUSEHOLD_REGISTRATION, L.COMMUNITY, 4, 14, True, "辖区户籍居民", "身份证、户口簿"),
    ("流动人口登记", C.HOUSEHOLD_REGISTRATION, L.GRID, 4, 14, False, "来本市居住的流动人口", "身份证"),
    ("出租房屋登记", C.HOUSEHOLD_REGISTRATION, L.GRID, 4, 14, False, "出租房屋的房主", "房产证、租赁合同"),
    ("生育登记服务", C.HOUSEHOLD_REGISTRATION, L.COMMUNITY, 4, 14, True, "辖区育龄夫妻", "身份证、结婚证"),
    ("独生子女父母奖励申请", C.CIVIL_AFFAIRS, L.STREET, 4, 70, True, "符合条件的独生子女父母", "身份证、独生子女证"),
    ("矛盾纠纷调解", C.DISPUTES, L.COMMUNITY, 2, 35, False, "辖区居民", "无"),
    ("邻里纠纷调处", C.DISPUTES, L.GRID, 2, 21, False, "辖区居民", "无"),
    ("劳动争议咨询", C.DISPUTES, L.STREET, 4, 35, False, "辖区劳动者", "劳动合同、工资凭证"),
    ("法律援助申请", C.DISPUTES, L.STREET, 4, 70, True, "经济困难的当事人", "身份证、经济困难证明"),
    ("信访事项受理", C.DISPUTES, L.STREET, 4, 70, False, "辖区居民", "诉求材料"),
    ("生活垃圾清运", C.ENVIRONMENT, L.GRID, 2, 14, False, "无", "无"),
    ("垃圾分类指导", C.ENVIRONMENT, L.GRID, 4, 14, False, "无", "无"),
    ("楼道堆物清理", C.ENVIRONMENT, L.GRID, 2, 14, False, "无", "无"),
    ("病媒生物防制", C.ENVIRONMENT, L.COMMUNITY, 4, 21, False, "无", "无"),
    ("绿化养护与修剪", C.ENVIRONMENT, L.COMMUNITY, 4, 35, False, "无", "无"),
    ("占道经营与乱搭乱建", C.ENVIRONMENT, L.STREET, 4, 35, False, "无", "现场照片"),
    ("噪声扰民", C.ENVIRONMENT, L.STREET, 2, 21, False, "无", "无"),
    ("小区路灯维修", C.PROPERTY, L.COMMUNITY, 2, 21, False, "无", "无"),
    ("公共设施报修", C.PROPERTY, L.COMMUNITY, 2, 21, False, "无", "现场照片"),
    ("二次供水与管网报修", C.PROPERTY, L.COMMUNITY, 2, 21, False, "无", "无"),
    ("物业服务投诉", C.PROPERTY, L.COMMUNITY, 4, 35, False, "无", "无"),
    ("停车秩序管理", C.PROPERTY, L.COMMUNITY, 4, 35, False, "无", "无"),
    ("老旧小区改造意见征集", C.PROPERTY, L.STREET, 4, 70, False, "无", "无"),
    ("电动车充电设施申请", C.PROPERTY, L.COMMUNITY, 4, 70, False, "无", "无"),
    ("消防安全隐患", C.SAFETY, L.COMMUNITY, 1, 14, False, "无", "现场照片"),
    ("治安隐患报告", C.SAFETY, L.COMMUNITY, 1, 14, False, "无", "无"),
    ("社区矫正人员帮教", C.SAFETY, L.STREET, 4, 35, False, "无", "无"),
    ("防范电信诈骗宣传", C.SAFETY, L.GRID, 4, 35, False, "无", "无"),
    ("四点半课堂报名", C.OTHER, L.COMMUNITY, 4, 14, False, "辖区双职工家庭小学生", "户口簿"),
    ("党员组织关系转接", C.OTHER, L.COMMUNITY, 4, 35, True, "中共党员", "组织关系介绍信"),
    ("社区活动场地预约", C.OTHER, L.COMMUNITY, 4, 7, False, "辖区居民、驻区单位", "无"),
    ("各类证明代办", C.OTHER, L.COMMUNITY, 4, 21, True, "辖区居民", "身份证"),
]
CODE_PREFIX = {
    C.CIVIL_AFFAIRS: "MZ", C.SOCIAL_SECURITY: "SB", C.HOUSEHOLD_REGISTRATION: "HJ", C.ELDERLY_CARE: "YL",
    C.DISPUTES: "JF", C.ENVIRONMENT: "HW", C.PROPERTY: "WY", C.SAFETY: "PA", C.OTHER: "QT",
}  # fmt: skip
MARKER_CODE = "NG-SB-001"

MICRO_POWERS = [
    ("居民最低生活保障初审", "入户调查不实、优亲厚友"), ("特困人员供养初审", "审核把关不严"),
    ("临时救助初审", "救助对象认定随意"), ("残疾人补贴初审", "材料审核走过场"),
    ("高龄津贴资格审核", "未及时核减死亡人员"), ("计划生育奖励扶助初审", "违规认定对象"),
    ("居住证明出具", "无依据出具证明"), ("各类证明出具", "吃拿卡要、乱出证明"),
    ("社区集体资产管理", "违规处置集体资产"), ("社区工作经费使用", "虚列支出、挪用经费"),
    ("惠民项目实施", "项目选定不公开"), ("社区公益岗位推荐", "推荐人选不公开"),
    ("困难群众慰问对象确定", "优亲厚友"), ("社区网格员考核", "考核不公"),
    ("社区组织评先评优推荐", "暗箱操作"), ("驻区单位共建资金使用", "资金使用不透明"),
    ("矛盾纠纷调解", "偏袒一方"), ("出租房屋与流动人口登记", "信息泄露"),
    ("社区场地设施使用", "违规出租出借"), ("党员发展推荐", "程序不规范"),
]  # fmt: skip
NEGATIVE_CONDUCT = [
    "群众来访不起身、不问好", "接听电话态度生硬、推诿扯皮", "工作时间脱岗离岗、迟到早退", "上班时间玩手机、打游戏",
    "办事拖拉、效率低下", "对群众诉求敷衍塞责", "首问不负责、让群众跑冤枉路", "说“不知道”“不归我管”",
    "一次性告知不到位", "吃拿卡要、收受礼品", "优亲厚友、处事不公", "泄露居民个人信息",
    "工作时间饮酒", "着装不整、举止不雅", "在办公场所吸烟", "与群众争吵、言语粗俗",
    "对特殊群体缺乏耐心", "不落实坐班值班制度", "不按时办结群众事项", "弄虚作假、虚报数据",
    "擅自对外承诺", "利用职务之便谋取私利", "公物私用", "不遵守保密纪律",
]  # fmt: skip

MENU = [
    ("法律咨询进社区", "法律咨询", ProviderKind.UNIT),
    ("健康义诊与体检", "居家养老服务申请", ProviderKind.UNIT),
    ("家电维修", "公共设施报修", ProviderKind.MEMBER),
    ("四点半课堂辅导", "四点半课堂报名", ProviderKind.MEMBER),
    ("上门理发", "居家养老服务申请", ProviderKind.ORGANIZATION),
    ("心理疏导", "矛盾纠纷调解", ProviderKind.MEMBER),
    ("政策咨询与代办", "各类证明代办", ProviderKind.ORGANIZATION),
    ("助餐送餐", "老年人助餐服务", ProviderKind.UNIT),
    ("水电维修", "二次供水与管网报修", ProviderKind.UNIT),
    ("家政保洁", "家政服务对接", ProviderKind.UNIT),
]
WISHES = [
    "一台收音机", "一副老花镜", "一台电风扇", "一套冬衣", "一床新棉被", "孩子的学习用品", "一辆轮椅",
    "一个电饭煲", "帮忙修好漏水的水龙头", "陪老人去医院复查", "一台取暖器", "一套儿童绘本", "一双保暖鞋",
    "一部老人手机", "家里安装扶手", "一个助行器", "给孙子买书包", "一台血压计", "帮忙打扫房间", "一次上门理发",
]  # fmt: skip
PROJECTS = {
    ProjectKind.MICRO_SERVICE: ["独居老人助餐", "四点半课堂", "上门理发", "健康小屋", "便民维修", "助老陪诊",
                                "儿童托管", "政策宣讲"],
    ProjectKind.MICRO_VOLUNTEER: ["邻里守望", "楼道清洁日", "文明劝导", "关爱留守儿童", "垃圾分类督导",
                                  "爱心义剪", "夜间巡逻"],
    ProjectKind.MICRO_GOVERNANCE: ["楼栋议事会", "小区停车协商", "加装电梯协商", "楼道微改造", "口袋公园共建",
                                   "物业纠纷调解", "居民公约修订"],
}  # fmt: skip
SOCIAL_ORGS = ["真诚公益服务中心", "雨宵爱心养老服务中心", "宁国市义工联盟", "宁国市益心社工服务中心",
               "宁国市社会组织联合会", "白云社区文工团"]  # fmt: skip
DESCRIPTIONS = {
    C.ENVIRONMENT: ["小区垃圾桶满溢无人清运", "楼道堆放杂物影响通行", "绿化带杂草丛生", "夜间施工噪声扰民"],
    C.PROPERTY: ["楼道灯坏了", "小区路灯不亮", "单元门禁损坏", "二次供水水压不足", "停车位被长期占用"],
    C.SAFETY: ["楼道电动车飞线充电", "消防通道被占用", "小区监控损坏"],
    C.DISPUTES: ["邻居装修噪声纠纷", "楼上漏水到楼下", "宠物扰民"],
}
CHANNEL_WEIGHTS = [
    (Channel.HOTLINE, 34), (Channel.ONE_WINDOW, 25), (Channel.GRID_REPORT, 20), (Channel.VISIT_FOLLOW_UP, 5),
    (Channel.WEB, 7), (Channel.POINT_ORDER, 7), (Channel.API, 2),
]  # fmt: skip
OPEN = frozenset({TicketStatus.REPORTED, TicketStatus.ACCEPTED, TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS,
                  TicketStatus.RETURNED})  # fmt: skip
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


@contextlib.contextmanager
def keeping_dates(*fields):
    """Let bulk_create write the past dates we give instead of auto_now_add's now."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f, _flag in saved:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, flag in saved:
            f.auto_now_add = flag


@dataclass
class _Plan:
    now: datetime.datetime
    admin: User
    communities: list[Organization]
    items: list[ServiceItem] = field(default_factory=list)
    grids_by_community: dict[int, list[Grid]] = field(default_factory=lambda: defaultdict(list))
    residents_by_grid: dict[int, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    staff_by_community: dict[int, User] = field(default_factory=dict)
    units_by_community: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    members_by_community: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    menu_by_community: dict[int, list[MenuService]] = field(default_factory=lambda: defaultdict(list))
    workers: dict[int, User] = field(default_factory=dict)  # grid id -> its full-time grid worker


def build(ctx: DemoContext) -> None:
    for level, hours in DEFAULT_ESCALATION_HOURS.items():
        EscalationLimit.objects.get_or_create(level=level, defaults={"working_hours": hours})
    if ServiceItem.objects.filter(code=MARKER_CODE).exists():
        ctx.say("services: the demo catalogue already exists, leaving services as they are")
        return
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        raise DemoDataError("services: the demo needs the superuser the accounts builder makes")
    plan = _Plan(now=timezone.now().replace(microsecond=0), admin=admin, communities=ctx.shared["communities"])
    _load_context(ctx, plan)
    _build_catalogue(ctx, plan)
    _build_lists(ctx)
    _build_menu(ctx, plan)
    _build_tickets(ctx, plan)
    _build_wishes(ctx, plan)
    _build_projects(ctx, plan)


def _load_context(ctx: DemoContext, plan: _Plan) -> None:
    grids = ctx.shared["third_level_grids"]
    for grid in grids:
        plan.grids_by_community[grid.community_id].append(grid)
    rows = Resident.objects.filter(household__building__grid__in=grids).order_by("pk")
    for pk, name, grid_id in rows.values_list("pk", "name", "household__building__grid_id"):
        plan.residents_by_grid[grid_id].append((pk, name))
    users = User.objects.in_bulk(list(ctx.shared["grid_workers"].values()))
    plan.workers = {grid_id: users[user_id] for grid_id, user_id in ctx.shared["grid_workers"].items()}
    for user in User.objects.filter(role=Role.STAFF, is_active=True, scope__in=plan.communities).order_by("pk"):
        plan.staff_by_community.setdefault(user.scope_id, user)
    active = CoBuildingAgreement.objects.filter(status=AgreementStatus.ACTIVE, community__in=plan.communities)
    for agreement in active.select_related("unit").order_by("pk"):
        if agreement.unit not in plan.units_by_community[agreement.community_id]:
            plan.units_by_community[agreement.community_id].append(agreement.unit)
    reports = MemberReport.objects.filter(is_active=True, community__in=plan.communities).select_related("member")
    for report in reports.order_by("pk"):
        plan.members_by_community[report.community_id].append(report.member)


# --- Catalogue and published lists --------------------------------------------------------------------------------


def _build_catalogue(ctx: DemoContext, plan: _Plan) -> None:
    numbers = defaultdict(int)
    for name, category, level, response, resolution, proxy, requirements, materials in CATALOGUE:
        numbers[category] += 1
        plan.items.append(
            ServiceItem(
                code=f"NG-{CODE_PREFIX[category]}-{numbers[category]:03d}", name=name, category=category,
                handling_level=level, response_hours=response, resolution_hours=resolution, can_proxy=proxy,
                requirements=requirements, materials=materials,
            )
        )  # fmt: skip
    bulk_create(ServiceItem, plan.items)
    ctx.say(f"services: {len(plan.items)} service items in {len(numbers)} categories")


def _build_lists(ctx: DemoContext) -> None:
    city = ctx.shared["city"]
    entries = [
        PublishedListEntry(
            organization=city, kind=ListKind.MICRO_POWER, title=title, body=f"风险点：{risk}。", sort_order=i
        )  # fmt: skip
        for i, (title, risk) in enumerate(MICRO_POWERS, 1)
    ] + [
        PublishedListEntry(organization=city, kind=ListKind.NEGATIVE_CONDUCT, title=title, sort_order=i)
        for i, title in enumerate(NEGATIVE_CONDUCT, 1)
    ]
    bulk_create(PublishedListEntry, entries)
    ctx.say(f"services: micro-power list ({len(MICRO_POWERS)}) and conduct negative list ({len(NEGATIVE_CONDUCT)})")


# --- Point-order menu ---------------------------------------------------------------------------------------------


def _build_menu(ctx: DemoContext, plan: _Plan) -> None:
    by_name = {item.name: item for item in plan.items}
    menu = []
    for community in plan.communities:
        for title, item_name, kind in ctx.rng.sample(MENU, ctx.rng.randint(6, len(MENU))):
            entry = MenuService(community=community, title=title, service_item=by_name[item_name],
                                description=f"{title}，居民点单、社区下单、党员和单位接单。")  # fmt: skip
            units, members = plan.units_by_community[community.pk], plan.members_by_community[community.pk]
            if kind == ProviderKind.UNIT and units:
                entry.provider_kind, entry.provider_unit = kind, ctx.rng.choice(units)
            elif kind == ProviderKind.MEMBER and members:
                entry.provider_kind, entry.provider_member = kind, ctx.rng.choice(members)
            else:
                entry.provider_kind, entry.provider_org = ProviderKind.ORGANIZATION, community
            menu.append(entry)
            plan.menu_by_community[community.pk].append(entry)
    bulk_create(MenuService, menu)
    ctx.say(f"services: {len(menu)} point-order menu services in {len(plan.communities)} communities")


# --- Tickets ------------------------------------------------------------------------------------------------------


@dataclass
class _Batch:
    tickets: list[Ticket] = field(default_factory=list)
    events: list[list[TicketEvent]] = field(default_factory=list)
    counters: dict[datetime.date, int] = field(default_factory=dict)


def _reference(batch: _Batch, moment: datetime.datetime) -> str:
    day = timezone.localdate(moment)
    if day not in batch.counters:
        batch.counters[day] = TicketCounter.objects.filter(day=day).values_list("last", flat=True).first() or 0
    batch.counters[day] += 1
    return f"{settings.TICKET_REFERENCE_PREFIX}-{day:%Y%m%d}-{batch.counters[day]:04d}"


def _status_for(rng, age: datetime.timedelta) -> str:
    if age > 14 * DAY:
        return rng.choices([TicketStatus.CLOSED, TicketStatus.REJECTED], [95, 5])[0]
    if age > 7 * DAY:  # a few stragglers still open: the overdue and escalated ones are picked among them
        return rng.choices([TicketStatus.CLOSED, TicketStatus.IN_PROGRESS, TicketStatus.REJECTED], [72, 23, 5])[0]
    states = [TicketStatus.REPORTED, TicketStatus.ACCEPTED, TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS,
              TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.RETURNED]  # fmt: skip
    return rng.choices(states, [10, 10, 18, 20, 27, 12, 3])[0]


def _build_tickets(ctx: DemoContext, plan: _Plan) -> None:
    rng, batch = ctx.rng, _Batch()
    total = TICKETS_PER_SCALE * ctx.scale
    departments = ["宁国市城市管理局", "宁国市住房和城乡建设局", "宁国市民政局", "宁国市人力资源和社会保障局"]
    moments = sorted(plan.now - datetime.timedelta(seconds=rng.randint(3600, 365 * 86400)) for _ in range(total))
    for moment in moments:
        _ticket(ctx, plan, batch, moment, departments)
    _overdue_and_escalated(ctx, plan, batch)
    with keeping_dates(Ticket._meta.get_field("created_at"), TicketEvent._meta.get_field("created_at")):
        bulk_create(Ticket, batch.tickets, batch_size=1000)
        events = []
        for ticket, ticket_events in zip(batch.tickets, batch.events, strict=True):
            for event in ticket_events:
                event.ticket = ticket
                events.append(event)
        bulk_create(TicketEvent, events, batch_size=2000)
    for day, last in batch.counters.items():
        counter, _created = TicketCounter.objects.get_or_create(day=day)
        if counter.last < last:
            TicketCounter.objects.filter(day=day).update(last=last)
    mix = defaultdict(int)
    for ticket in batch.tickets:
        mix[ticket.status] += 1
    shown = ", ".join(f"{TicketStatus(k).label} {n}" for k, n in sorted(mix.items()))
    rated = sum(t.rating is not None for t in batch.tickets)
    ctx.say(f"services: {len(batch.tickets)} tickets over the past year ({shown}), {len(events)} events, "
            f"{rated} rated")  # fmt: skip


def _ticket(ctx, plan: _Plan, batch: _Batch, created: datetime.datetime, departments) -> Ticket:
    rng = ctx.rng
    community = rng.choice(plan.communities)
    channel = rng.choices([c for c, _w in CHANNEL_WEIGHTS], [w for _c, w in CHANNEL_WEIGHTS])[0]
    menu_item = None
    if channel == Channel.POINT_ORDER and plan.menu_by_community[community.pk]:
        menu_item = rng.choice(plan.menu_by_community[community.pk])
        item = menu_item.service_item
    else:
        channel = Channel.HOTLINE if channel == Channel.POINT_ORDER else channel
        item = rng.choice(plan.items)
    grids = plan.grids_by_community[community.pk]
    grid = rng.choice(grids) if grids else None
    ticket = Ticket(
        reference=_reference(batch, created), channel=channel, service_item=item, menu_item=menu_item,
        community=community, grid=grid, created_at=created, rating_token=f"{rng.getrandbits(256):064x}",
        description=menu_item.title if menu_item else rng.choice(DESCRIPTIONS.get(item.category, [item.name])),
        handling_level=HandlingLevel.COMMUNITY, handling_org=community,
    )  # fmt: skip
    residents = plan.residents_by_grid[grid.pk] if grid else []
    if channel not in (Channel.GRID_REPORT, Channel.VISIT_FOLLOW_UP):
        if residents and rng.random() < 0.7:
            ticket.reporter_id = rng.choice(residents)[0]
        else:
            ticket.reporter_name, ticket.reporter_phone = ctx.person_name(rng.choice((MALE, FEMALE))), ctx.mobile()
    worker = plan.workers.get(grid.pk) if grid else None
    staff = plan.staff_by_community.get(community.pk, plan.admin)
    ticket.created_by = worker if channel in (Channel.GRID_REPORT, Channel.VISIT_FOLLOW_UP) and worker else staff
    ticket.response_due_at = add_working_hours(created, item.response_hours)
    ticket.resolution_due_at = add_working_hours(created, item.resolution_hours)
    ticket.level_started_at, ticket.level_due_at = created, ticket.resolution_due_at
    ticket.warn_at = created + (ticket.resolution_due_at - created) * 3 / 4
    events = [TicketEvent(kind="reported", to_status=TicketStatus.REPORTED, actor=ticket.created_by,
                          created_at=created)]  # fmt: skip
    age = plan.now - created
    status = _status_for(rng, age)
    if age < 7 * DAY and status in OPEN and ticket.resolution_due_at < plan.now:
        status = TicketStatus.RESOLVED  # recent work is on time; the late ones are chosen deliberately below
    _walk(ctx, plan, ticket, events, status, staff, worker, menu_item, departments)
    batch.tickets.append(ticket)
    batch.events.append(events)
    return ticket


PATH = [TicketStatus.ACCEPTED, TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED,
        TicketStatus.CLOSED]  # fmt: skip
ACTION_TO = {TicketStatus.ACCEPTED: "accept", TicketStatus.DISPATCHED: "dispatch", TicketStatus.IN_PROGRESS: "start",
             TicketStatus.RESOLVED: "resolve", TicketStatus.CLOSED: "close"}  # fmt: skip


def _walk(ctx, plan, ticket, events, status, staff, worker, menu_item, departments) -> None:
    """Append the events that bring a new ticket to `status` along the usual path, with plausible timing."""
    rng, now = ctx.rng, plan.now
    moment = ticket.created_at
    if status == TicketStatus.REPORTED:
        return
    if status == TicketStatus.REJECTED:
        moment = min(moment + rng.randint(10, 240) * datetime.timedelta(minutes=1), now)
        events.append(TicketEvent(kind="reject", from_status=TicketStatus.REPORTED, to_status=status, actor=staff,
                                  note="不属于本社区职责，已告知群众向相关部门反映", created_at=moment,
                                  data={"referral": rng.choice(departments)}))  # fmt: skip
        ticket.status = status
        return
    target = PATH.index(status) if status in PATH else PATH.index(TicketStatus.DISPATCHED)
    late = rng.random() < 0.08
    span = (ticket.resolution_due_at - ticket.created_at) * (rng.uniform(1.1, 2.0) if late else rng.uniform(0.2, 0.9))
    steps = [ticket.created_at + span * share for share in (0.05, 0.15, 0.3, 1.0)]
    previous = TicketStatus.REPORTED
    for index, state in enumerate(PATH[: target + 1]):
        moment = ticket.resolved_at + rng.randint(1, 72) * HOUR if state == TicketStatus.CLOSED else steps[index]
        moment = min(moment, now - datetime.timedelta(minutes=5 * (5 - index)))
        actor = staff if state in (TicketStatus.ACCEPTED, TicketStatus.DISPATCHED) else None
        data = {}
        if state == TicketStatus.ACCEPTED:
            ticket.owner, ticket.accepted_at = staff, moment
        elif state == TicketStatus.DISPATCHED:
            _assign(ctx, plan, ticket, worker, menu_item, departments)
            unit = ticket.assignee_unit
            data = {"assignee_user": ticket.assignee_user_id, "assignee_unit": unit.pk if unit else None,
                    "assignee_department": ticket.assignee_department}  # fmt: skip
        elif state in (TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED):
            actor = ticket.assignee_user or staff
            if state == TicketStatus.RESOLVED:
                ticket.resolved_at = moment
                ticket.rating_token_expires_at = moment + settings.TICKET_RATING_DAYS * DAY
        if state == TicketStatus.CLOSED:
            _close(ctx, ticket, events, moment, now)
        else:
            events.append(TicketEvent(kind=ACTION_TO[state], from_status=previous, to_status=state, actor=actor,
                                      created_at=moment, data=data))  # fmt: skip
        previous = state
    ticket.status = status
    if status == TicketStatus.RETURNED:
        moment = min(moment + 2 * HOUR, now)
        events.append(TicketEvent(kind="return", from_status=previous, to_status=status, actor=ticket.assignee_user,
                                  note="不属于网格处置范围，请社区协调相关部门", created_at=moment))  # fmt: skip


def _assign(ctx, plan, ticket, worker, menu_item, departments) -> None:
    rng = ctx.rng
    if menu_item is not None:
        if menu_item.provider_kind == ProviderKind.UNIT:
            ticket.assignee_unit = menu_item.provider_unit
        elif menu_item.provider_kind == ProviderKind.MEMBER:
            member = menu_item.provider_member
            ticket.assignee_department = f"{member.organization.name} {member.name}"[:100]
        else:
            ticket.assignee_department = menu_item.provider_org.name[:100]
        return
    units = plan.units_by_community[ticket.community_id]
    roll = rng.random()
    if worker is not None and roll < 0.7:
        ticket.assignee_user = worker
    elif units and roll < 0.8:
        ticket.assignee_unit = rng.choice(units)
    else:
        ticket.assignee_department = rng.choice(departments)


def _close(ctx, ticket, events, moment, now) -> None:
    rng = ctx.rng
    if rng.random() < 0.8 or ticket.rating_token_expires_at > now:  # unrated: only once the link has lapsed
        ticket.rating = rng.choices([5, 4, 3], [66, 26, 8])[0]
        ticket.rated_at = ticket.closed_at = moment
        if ticket.rating < 4 and rng.random() < 0.5:
            ticket.rating_comment = rng.choice(["处理速度有点慢", "问题基本解决", "希望下次及时回复"])
        else:
            ticket.rating_comment = rng.choice(["", "", "很满意，谢谢网格员", "办事效率高", "服务态度好"])
        events.append(TicketEvent(kind="rated", from_status=TicketStatus.RESOLVED, to_status=TicketStatus.CLOSED,
                                  note=ticket.rating_comment, created_at=moment,
                                  data={"rating": ticket.rating}))  # fmt: skip
    else:
        moment = ticket.rating_token_expires_at
        ticket.closed_at, ticket.closed_unrated = moment, True
        events.append(TicketEvent(kind="closed_unrated", from_status=TicketStatus.RESOLVED,
                                  to_status=TicketStatus.CLOSED, created_at=moment))  # fmt: skip


def _overdue_and_escalated(ctx: DemoContext, plan: _Plan, batch: _Batch) -> None:
    """Open tickets past their deadline now (the sweep's next run escalates them), and some already escalated."""
    rng, now = ctx.rng, plan.now
    open_late = [t for t in batch.tickets if t.status in (TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS)]
    rng.shuffle(open_late)
    chosen = open_late[: (OVERDUE_TICKETS + ESCALATED_TICKETS) * ctx.scale]
    streets = {s.pk: s for s in ctx.shared["streets"]}
    escalated = chosen[OVERDUE_TICKETS * ctx.scale :]
    for ticket in chosen[: OVERDUE_TICKETS * ctx.scale]:
        ticket.level_due_at = ticket.resolution_due_at = min(ticket.resolution_due_at, now - rng.randint(1, 48) * HOUR)
        ticket.warn_at = ticket.level_due_at - 8 * HOUR
        ticket.card = Card.YELLOW
    for index, ticket in enumerate(escalated):
        events = batch.events[batch.tickets.index(ticket)]
        ticket.resolution_due_at = min(ticket.resolution_due_at, now - rng.randint(24, 96) * HOUR)
        ladder = [(HandlingLevel.STREET, streets[ticket.community.parent_id])]
        if index < 2:  # two have climbed to the top and stay flagged for the district
            ladder.append((HandlingLevel.DISTRICT, ctx.shared["city"]))
        moment = ticket.resolution_due_at
        for level, org in ladder:
            events.append(TicketEvent(kind="escalated", created_at=moment, note=f"逾期未办结，升级至{org.name}",
                                      data={"from_level": ticket.handling_level, "to_level": level,
                                            "handling_org": org.pk}))  # fmt: skip
            ticket.handling_level, ticket.handling_org = level, org
            ticket.escalation_count += 1
            moment += 16 * HOUR
        ticket.level_started_at = ticket.resolution_due_at
        ticket.level_due_at = add_working_hours(now, DEFAULT_ESCALATION_HOURS[ticket.handling_level])
        ticket.warn_at = now
        ticket.card = Card.RED
        ticket.flagged_for_district = ticket.handling_level == HandlingLevel.DISTRICT


# --- Micro-wishes ------------------------------------------------------------------------------------------------


def _placeholder_photo() -> str:
    """One small image for every demo wish's fulfilment photo, stored once through the storage API."""
    name = "wishes/demo-fulfilled.png"
    if not default_storage.exists(name):
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, format="PNG")
        name = default_storage.save(name, ContentFile(buffer.getvalue()))
    return name


def _build_wishes(ctx: DemoContext, plan: _Plan) -> None:
    rng, now = ctx.rng, plan.now
    photo = _placeholder_photo()
    care = list(
        Resident.objects.filter(tags__isnull=False, household__building__grid__in=ctx.shared["third_level_grids"])
        .values_list("pk", "household__building__grid__community_id", "household__building__grid_id")
        .distinct()
        .order_by("pk")
    )
    if not care:
        ctx.say("services: no special-care residents, no micro-wishes")
        return
    statuses = ([WishStatus.CONFIRMED] * (FULFILLED_WISHES - 30) + [WishStatus.FULFILLED] * 30
                + [WishStatus.POSTED] * (OPEN_WISHES * 2 // 3) + [WishStatus.CLAIMED] * (OPEN_WISHES // 3)
                + [WishStatus.WITHDRAWN] * 6)  # fmt: skip
    wishes = []
    for status in statuses:
        resident_id, community_id, grid_id = rng.choice(care)
        posted = now - rng.randint(1, 700) * DAY if status in (WishStatus.CONFIRMED, WishStatus.FULFILLED) else (
            now - rng.randint(1, 40) * DAY)  # fmt: skip
        poster = plan.workers.get(grid_id) or plan.staff_by_community.get(community_id, plan.admin)
        wish = MicroWish(resident_id=resident_id, community_id=community_id, title=rng.choice(WISHES), status=status,
                         posted_by=poster, posted_at=posted)  # fmt: skip
        if status in (WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED):
            _claimer(rng, plan, wish)
            wish.claimed_at = min(posted + rng.randint(1, 10) * DAY, now)
        if status in (WishStatus.FULFILLED, WishStatus.CONFIRMED):
            wish.fulfilled_at = min(wish.claimed_at + rng.randint(1, 20) * DAY, now)
            wish.fulfilment_photo = photo
        if status == WishStatus.CONFIRMED:
            wish.confirmed_at = min(wish.fulfilled_at + rng.randint(0, 3) * DAY, now)
        wishes.append(wish)
    with keeping_dates(MicroWish._meta.get_field("posted_at")):
        bulk_create(MicroWish, wishes)
    ctx.say(f"services: {len(wishes)} micro-wishes, {FULFILLED_WISHES} fulfilled, {OPEN_WISHES} on the wall")


def _claimer(rng, plan: _Plan, wish: MicroWish) -> None:
    units, members = plan.units_by_community[wish.community_id], plan.members_by_community[wish.community_id]
    roll = rng.random()
    if members and roll < 0.5:
        wish.claimed_by_member = rng.choice(members)
    elif units and roll < 0.85:
        wish.claimed_by_unit = rng.choice(units)
    else:
        wish.claimed_by_org_id = wish.community_id


# --- Housekeeper projects ----------------------------------------------------------------------------------------


def _build_projects(ctx: DemoContext, plan: _Plan) -> None:
    rng, this_year = ctx.rng, timezone.localdate(plan.now).year
    years = [this_year - 2, this_year - 1, this_year]
    per_year = spread(rng, HOUSEKEEPER_PROJECTS, len(years), minimum=60)
    projects = []
    for year, count in zip(years, per_year, strict=True):
        for _ in range(count):
            community = rng.choice(plan.communities)
            kind = rng.choice(list(PROJECTS))
            place = community.name.removesuffix("社区党委").removesuffix("社区党总支")
            project = HousekeeperProject(
                community=community, year=year, kind=kind, title=f"{place}{rng.choice(PROJECTS[kind])}项目",
                description=f"{year}年度{ProjectKind(kind).label}类管家计划项目。",
                carried_out_by=rng.choice(SOCIAL_ORGS),
            )  # fmt: skip
            units = plan.units_by_community[community.pk]
            if units and (year < this_year or rng.random() < 0.6):
                project.funded_by = rng.choice(units)
                project.funding = Decimal(rng.randrange(2000, 50000, 500))
            projects.append(project)
    rated = [p for p in projects if p.year < this_year and p.funded_by is not None]
    rng.shuffle(rated)
    for index, project in enumerate(rated):
        project.rating = (ProjectRating.EXEMPLARY if index < 5 else ProjectRating.EXCELLENT if index < 15
                          else ProjectRating.PASSED)  # fmt: skip
    bulk_create(HousekeeperProject, projects)
    claimed = sum(p.funded_by is not None for p in projects)
    ctx.say(f"services: {len(projects)} housekeeper projects ({claimed} claimed, {len(rated)} rated: "
            f"5 exemplary, 10 excellent)")  # fmt: skip
