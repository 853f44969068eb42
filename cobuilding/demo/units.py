"""Demo resident units (city departments, the units the organization builder knows, generated street units) and
their reports to communities."""

from __future__ import annotations

import datetime
from collections import defaultdict

from cobuilding.demo.helpers import DemoPlan
from cobuilding.models import PartnerCategory, ResidentUnit, UnitKind, UnitReport
from core.demo import DemoContext, bulk_create, random_date, spread
from core.validators import FEMALE, MALE
from orgs.models import Organization

UNITS = 214
DEPARTMENTS_PER_COMMUNITY = (4, 8)
SECOND_COMMUNITY_SHARE = 0.15  # units that also report to a neighbouring community of their street

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


def build_units(ctx: DemoContext, plan: DemoPlan) -> None:
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


def _report_pairs(ctx, plan: DemoPlan, departments, known, known_home, generated) -> list[tuple]:
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
