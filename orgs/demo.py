"""Demo data for the organization tree, modelled on Ningguo (宁国, seed 000): the city committee, 3 streets,
18 communities, 47 grid branches, 107 building groups, 20 special organizations beside the main line, two-new and
unit organizations, about 2,000 Party members, and the committees with their cross-appointments.

The whole tree goes in with a handful of bulk inserts (one per depth) and one partial rebuild of the mptt numbers,
instead of one save per node with mptt shifting numbers after each. The city's code is the marker: when it
exists, the tree is left alone and only loaded for the builders that come after.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence

from core.demo import DEMO_TODAY, DemoContext, DemoDataError, add_years, bulk_create, random_date, spread
from core.validators import FEMALE, MALE
from orgs.models import CrossBody, CrossTitle, MemberKind, Organization, OrgPosition, PartyMember, PositionTitle
from orgs.rules import Level

CITY_CODE = "NG"
CITY_NAME = "中共宁国市委"
GRID_BRANCHES = 47
BUILDING_GROUPS = 107
MEMBERS_PER_SCALE = 2000

# (street code, street name, [(community code, community name)]); codes are pinyin initials.
STREETS = [
    ("XJ", "西津街道", [("JB", "津北"), ("CD", "城东"), ("CZ", "城中"), ("XM", "西门"), ("FX", "凤形"), ("BY", "北园"),
                        ("FH", "凤凰")]),
    ("HLX", "河沥溪街道", [("HL", "河沥"), ("GK", "港口"), ("YF", "宜丰"), ("WX", "汪溪"), ("SQ", "狮桥"),
                           ("QX", "桥西")]),
    ("NS", "南山街道", [("NS", "南山"), ("ZX", "中溪"), ("NY", "宁阳"), ("DC", "东城"), ("NH", "南河")]),
]  # fmt: skip

# Organizations beside the main line: (where, name, [child names]). "Where" is the city code, a street code, or a
# community name; community-level names get the community's name in front. Seed 000 names 白云社区文工团, 义工联盟,
# 夕阳红, 个私协会, 东正国际装饰城, 社会组织联合会, 真诚公益, 雨宵爱心养老服务中心.
SPECIAL_ORGS = [
    ("城中", "红色文艺队党支部"), ("XJ", "志愿服务联盟党支部"), ("津北", "夕阳红党支部"), ("河沥", "义工联盟党支部"),
    ("南山", "老年书画协会党支部"), ("宁阳", "太极拳队党支部"), ("HLX", "快递外卖骑手党支部"),
    ("NS", "网约车司机党支部"), ("西门", "退役军人党支部"), ("港口", "平安巡逻队党支部"), ("中溪", "邻里调解队党支部"),
    ("城东", "健康义诊队党支部"), ("凤形", "摄影协会党支部"), ("宜丰", "环保志愿队党支部"), ("东城", "读书会党支部"),
    ("北园", "四点半课堂志愿者党支部"), ("汪溪", "银发志愿队党支部"), ("狮桥", "广场舞队党支部"),
    ("凤凰", "红色楼长联盟党支部"), ("南河", "律师志愿团党支部"),
]  # fmt: skip
TWO_NEW_ORGS = [
    ("NG", "宁国市个体私营经济协会党委", []),
    ("NG", "宁国市社会组织联合会党委", ["真诚公益服务中心党支部", "雨宵爱心养老服务中心党支部"]),
    ("XJ", "东正国际装饰城党支部", []),
    ("津北", "宁阳物业服务有限公司党支部", []),
    ("河沥", "港口电商产业园党支部", []),
    ("南山", "红叶家政服务有限公司党支部", []),
]
UNIT_ORGS = [
    ("NG", "宁国市人民医院党委", ["宁国市人民医院内科党支部", "宁国市人民医院外科党支部"]),
    ("NG", "宁国中学党委", []),
    ("NG", "国网宁国市供电公司党委", []),
    ("NG", "宁国市市场监督管理局机关党支部", []),
    ("XJ", "西津街道社区卫生服务中心党支部", []),
]
JOINT_ORGS = [("津北", "驻区单位联合党委", []), ("河沥", "共建联合党支部", [])]
BESIDE_MAIN_LINE = [
    (Level.SPECIAL, [(where, name, []) for where, name in SPECIAL_ORGS]),
    (Level.TWO_NEW, TWO_NEW_ORGS),
    (Level.UNIT, UNIT_ORGS),
    (Level.JOINT, JOINT_ORGS),
]
SIDE_CODE_LETTER = {Level.SPECIAL: "S", Level.TWO_NEW: "T", Level.UNIT: "U", Level.JOINT: "J"}

ROADS = ["津河路", "宁阳大道", "河沥大道", "南山路", "中溪路", "凤形路", "港口路", "西津大道", "天一路", "宜丰路"]
COMPOUND_HEADS = ["阳光", "锦绣", "翠竹", "金色", "春天", "滨河", "世纪", "和平", "香樟", "玉兰", "桂花", "南湖",
                  "东方", "书香", "紫荆", "碧桂", "绿洲", "鸿运", "幸福", "山水"]  # fmt: skip
COMPOUND_TAILS = ["花园", "小区", "家园", "新村", "佳苑", "华府", "名城", "雅居"]
NUMERALS = "一二三四五六七八九十"

# Direct members each organization needs at least (enough for its committee), and how the rest is shared out.
MIN_MEMBERS = {
    Level.DISTRICT: 2, Level.STREET: 3, Level.COMMUNITY: 7, Level.GRID_BRANCH: 1, Level.BUILDING_GROUP: 2,
    Level.SPECIAL: 3, Level.TWO_NEW: 3, Level.UNIT: 4, Level.JOINT: 2,
}  # fmt: skip
EXTRA_WEIGHT = {
    Level.COMMUNITY: 1, Level.GRID_BRANCH: 3, Level.BUILDING_GROUP: 10, Level.SPECIAL: 4, Level.TWO_NEW: 4,
    Level.UNIT: 6, Level.JOINT: 1,
}  # fmt: skip
_MAIN_LINE_MIX = {MemberKind.REGULAR: 55, MemberKind.RETIRED: 35, MemberKind.MOBILE: 8, MemberKind.IN_SERVICE: 2}
KIND_MIX = {
    Level.COMMUNITY: _MAIN_LINE_MIX,
    Level.GRID_BRANCH: _MAIN_LINE_MIX,
    Level.BUILDING_GROUP: _MAIN_LINE_MIX,
    Level.SPECIAL: {MemberKind.RETIRED: 55, MemberKind.REGULAR: 40, MemberKind.IN_SERVICE: 5},
    Level.TWO_NEW: {MemberKind.IN_SERVICE: 70, MemberKind.REGULAR: 25, MemberKind.MOBILE: 5},
    Level.UNIT: {MemberKind.IN_SERVICE: 95, MemberKind.RETIRED: 5},
    Level.JOINT: {MemberKind.IN_SERVICE: 80, MemberKind.REGULAR: 20},
}
BIRTHS = {
    MemberKind.RETIRED: (datetime.date(1936, 1, 1), datetime.date(1966, 6, 30)),
    MemberKind.IN_SERVICE: (datetime.date(1966, 1, 1), datetime.date(2002, 12, 31)),
    MemberKind.REGULAR: (datetime.date(1950, 1, 1), datetime.date(2003, 12, 31)),
    MemberKind.MOBILE: (datetime.date(1975, 1, 1), datetime.date(2002, 12, 31)),
}
CADRE_BIRTHS = (datetime.date(1968, 1, 1), datetime.date(1994, 12, 31))

# A community committee and its cross-appointments under "1311N": the secretary also chairs the residents'
# committee, the discipline member chairs the supervision committee, the united-front member the consultation one.
COMMUNITY_POSTS = [
    (PositionTitle.SECRETARY, CrossBody.RESIDENTS_COMMITTEE, CrossTitle.CHAIR),
    (PositionTitle.DEPUTY_SECRETARY, CrossBody.RESIDENTS_COMMITTEE, CrossTitle.VICE_CHAIR),
    (PositionTitle.ORGANIZATION_MEMBER, "", ""),
    (PositionTitle.PUBLICITY_MEMBER, CrossBody.RESIDENTS_COMMITTEE, CrossTitle.MEMBER),
    (PositionTitle.DISCIPLINE_MEMBER, CrossBody.SUPERVISION_COMMITTEE, CrossTitle.CHAIR),
    (PositionTitle.UNITED_FRONT_MEMBER, CrossBody.CONSULTATION_COMMITTEE, CrossTitle.CHAIR),
    (PositionTitle.COMMITTEE_MEMBER, CrossBody.COLLECTIVE_ECONOMY, CrossTitle.CHAIR),
]
GRID_POSTS = [
    PositionTitle.SECRETARY,
    PositionTitle.DEPUTY_SECRETARY,
    PositionTitle.ORGANIZATION_MEMBER,
    PositionTitle.PUBLICITY_MEMBER,
]
LEADERSHIP_POSTS = {
    Level.DISTRICT: [PositionTitle.SECRETARY, PositionTitle.DEPUTY_SECRETARY],
    Level.STREET: [PositionTitle.SECRETARY, PositionTitle.DEPUTY_SECRETARY, PositionTitle.ORGANIZATION_MEMBER],
}
# When each kind of organization's current committee took office (communities all changed over in spring 2021).
TERM_STARTS = {
    Level.DISTRICT: (datetime.date(2021, 9, 1), datetime.date(2021, 9, 30)),
    Level.STREET: (datetime.date(2021, 6, 1), datetime.date(2021, 8, 31)),
    Level.COMMUNITY: (datetime.date(2021, 3, 1), datetime.date(2021, 5, 31)),
    Level.GRID_BRANCH: (datetime.date(2021, 6, 1), datetime.date(2023, 12, 31)),
    Level.BUILDING_GROUP: (datetime.date(2019, 1, 1), datetime.date(2024, 12, 31)),
}
OTHER_TERMS = (datetime.date(2020, 1, 1), datetime.date(2025, 12, 31))


def build(ctx: DemoContext) -> None:
    city = Organization.objects.filter(code=CITY_CODE).first()
    if city is not None:
        ctx.say(f"orgs: {CITY_NAME} ({CITY_CODE}) already exists, leaving the tree as it is")
    else:
        city = _build_tree(ctx)
        _build_members_and_posts(ctx, Organization.objects.filter(tree_id=city.tree_id))
    _share(ctx, city)


# --- The tree -------------------------------------------------------------------------------------------------


def _build_tree(ctx: DemoContext) -> Organization:
    city = _org(ctx, None, CITY_CODE, CITY_NAME, Level.DISTRICT, founded=datetime.date(1949, 5, 1))
    city.save()  # the one ordinary save: mptt gives the new tree its tree_id
    nodes = _plan_nodes(ctx, city)
    for depth in sorted({node.depth for node in nodes}):
        bulk_create(Organization, [node for node in nodes if node.depth == depth])
    Organization.objects.partial_rebuild(city.tree_id)
    ctx.say(f"orgs: {len(nodes) + 1} organizations, tree {city.tree_id} rebuilt")
    return city


def _plan_nodes(ctx: DemoContext, city: Organization) -> list[Organization]:
    """Every node below the city, unsaved, each pointing at its (possibly unsaved) parent."""
    places: dict[str, Organization] = {CITY_CODE: city}
    nodes = []
    grid_counts = iter(spread(ctx.rng, GRID_BRANCHES, sum(len(s[2]) for s in STREETS), minimum=2))
    group_counts = iter(spread(ctx.rng, BUILDING_GROUPS, GRID_BRANCHES, minimum=2))
    for street_code, street_name, communities in STREETS:
        street = _org(ctx, city, f"{CITY_CODE}-{street_code}", f"{street_name}党工委", Level.STREET, years=(1990, 2005))
        places[street_code] = street
        nodes.append(street)
        for community_code, community_name in communities:
            code, name = f"{street.code}-{community_code}", f"{community_name}社区党委"
            community = _org(ctx, street, code, name, Level.COMMUNITY, years=(2000, 2012))
            places[community_name] = community
            nodes += [community, *_grid_branches(ctx, community, community_name, next(grid_counts), group_counts)]
    for level, specs in BESIDE_MAIN_LINE:
        nodes += _side_orgs(ctx, places, level, specs)
    return nodes


def _grid_branches(ctx: DemoContext, community, community_name: str, count: int, group_counts) -> list[Organization]:
    nodes = []
    compounds = _compound_names(ctx, count)
    for number in range(1, count + 1):
        name = f"{community_name}社区第{NUMERALS[number - 1]}网格党支部"
        grid = _org(ctx, community, f"{community.code}-G{number:02d}", name, Level.GRID_BRANCH, years=(2017, 2019))
        nodes.append(grid)
        groups = next(group_counts)
        buildings = sorted(ctx.rng.sample(range(1, 3 * groups + 6), groups))
        for index, building in enumerate(buildings, start=1):
            name = f"{compounds[number - 1]}{building}栋党小组"
            code = f"{grid.code}-B{index:02d}"
            nodes.append(_org(ctx, grid, code, name, Level.BUILDING_GROUP, years=(2018, 2020), landline=False))
    return nodes


def _compound_names(ctx: DemoContext, count: int) -> list[str]:
    heads = ctx.rng.sample(COMPOUND_HEADS, count)
    return [head + ctx.rng.choice(COMPOUND_TAILS) for head in heads]


def _side_orgs(ctx: DemoContext, places: dict[str, Organization], level: str, specs) -> list[Organization]:
    """Special, two-new, unit and joint organizations, numbered per parent: NG-XJ-CZ-S01, NG-U02-U01."""
    nodes = []
    numbers: dict[str, int] = defaultdict(int)
    letter = SIDE_CODE_LETTER[level]
    for where, name, children in specs:
        parent = places[where]
        full_name = _qualified_name(parent, name) if level in (Level.SPECIAL, Level.JOINT) else name
        numbers[parent.code] += 1
        node = _org(
            ctx, parent, f"{parent.code}-{letter}{numbers[parent.code]:02d}", full_name, level, years=(2012, 2022)
        )
        nodes.append(node)
        for index, child_name in enumerate(children, start=1):
            code = f"{node.code}-{letter}{index:02d}"
            nodes.append(_org(ctx, node, code, child_name, level, years=(2015, 2023), landline=False))
    return nodes


def _qualified_name(parent: Organization, name: str) -> str:
    """Interest groups and joint committees are known by their community or street: 城中社区红色文艺队党支部."""
    return parent.name.removesuffix("党委").removesuffix("党工委") + name


def _org(ctx, parent, code, name, level, *, years=(2000, 2020), founded=None, landline=True) -> Organization:
    """An unsaved node; lft/rght are placeholders that the rebuild replaces."""
    start, end = datetime.date(years[0], 1, 1), datetime.date(years[1], 12, 31)
    return Organization(
        name=name,
        code=code,
        level=level,
        parent=parent,
        phone=f"05634{ctx.rng.randrange(10**6):06d}" if landline else "",
        address=f"宁国市{ctx.rng.choice(ROADS)}{ctx.rng.randint(1, 399)}号" if landline else "",
        founded_on=founded or random_date(ctx.rng, start, end),
        tree_id=parent.tree_id if parent else 0,
        depth=parent.depth + 1 if parent else 0,
        lft=0,
        rght=0,
    )


# --- Members and posts ----------------------------------------------------------------------------------------


def _build_members_and_posts(ctx: DemoContext, orgs: Iterable[Organization]) -> None:
    orgs = sorted(orgs, key=lambda org: org.code)
    ctx.id_numbers.reserve(PartyMember.objects.filter(is_active=True).values_list("id_number", flat=True))
    counts = _member_counts(ctx, orgs)
    members_by_org = {org.code: _members_for(ctx, org, counts[org.code]) for org in orgs}
    bulk_create(PartyMember, [m for members in members_by_org.values() for m in members], batch_size=1000)
    posts = _posts(ctx, orgs, members_by_org)
    bulk_create(OrgPosition, posts)
    _set_secretaries(orgs, posts)
    _say_member_summary(ctx, members_by_org, posts)


def _member_counts(ctx: DemoContext, orgs: Sequence[Organization]) -> dict[str, int]:
    target = ctx.members or MEMBERS_PER_SCALE * ctx.scale
    counts = {org.code: MIN_MEMBERS[org.level] for org in orgs}
    rest = target - sum(counts.values())
    if rest < 0:
        raise DemoDataError(f"The demo tree needs at least {sum(counts.values())} Party members, not {target}")
    weighted = [org for org in orgs if EXTRA_WEIGHT.get(org.level)]
    for org in ctx.rng.choices(weighted, weights=[EXTRA_WEIGHT[o.level] for o in weighted], k=rest):
        counts[org.code] += 1
    return counts


def _members_for(ctx: DemoContext, org: Organization, count: int) -> list[PartyMember]:
    """The first few members of a city, street or community body are its cadres, the rest a realistic mix."""
    cadres = MIN_MEMBERS[org.level] if org.level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY) else 0
    mix = KIND_MIX.get(org.level, {MemberKind.IN_SERVICE: 1})
    members = []
    for index in range(count):
        if index < cadres:
            kind = MemberKind.REGULAR if org.level == Level.COMMUNITY else MemberKind.IN_SERVICE
            members.append(_member(ctx, org, kind, CADRE_BIRTHS))
        else:
            kind = ctx.rng.choices(list(mix), weights=list(mix.values()))[0]
            members.append(_member(ctx, org, kind, BIRTHS[kind]))
    if org.level == Level.BUILDING_GROUP:
        settled = [m for m in members if m.kind != MemberKind.MOBILE] or members
        for member in ctx.rng.sample(settled, 1 + (len(settled) >= 6)):
            member.is_central_household = True
    return members


def _member(ctx: DemoContext, org: Organization, kind: str, births) -> PartyMember:
    gender = MALE if ctx.rng.random() < 0.62 else FEMALE
    birth_date = random_date(ctx.rng, *births)
    return PartyMember(
        name=ctx.person_name(gender),
        gender=gender,
        birth_date=birth_date,
        id_number=ctx.id_number(birth_date, gender),
        phone=ctx.mobile() if kind != MemberKind.RETIRED or ctx.rng.random() < 0.85 else "",
        joined_on=_joined_on(ctx, birth_date),
        kind=kind,
        organization=org,
    )


def _joined_on(ctx: DemoContext, birth_date: datetime.date) -> datetime.date:
    """Most join in their twenties, none before eighteen, none in the last month before the demo's today."""
    age = int(ctx.rng.triangular(18, 46, 22))
    earliest = add_years(birth_date, 18) + datetime.timedelta(days=1)
    latest = DEMO_TODAY - datetime.timedelta(days=30)
    day = add_years(birth_date, age) + datetime.timedelta(days=ctx.rng.randint(0, 364))
    return max(earliest, min(day, latest))


def _posts(ctx: DemoContext, orgs, members_by_org: dict[str, list[PartyMember]]) -> list[OrgPosition]:
    posts = []
    for org in orgs:
        members = members_by_org[org.code]
        if org.level == Level.COMMUNITY:
            # The first members of a community are its cadres, one per committee seat.
            posts += [_post(ctx, org, m, *spec) for m, spec in zip(members, COMMUNITY_POSTS, strict=False)]
        elif org.level == Level.GRID_BRANCH:
            # A grid branch's committee comes from the whole branch, its building groups included.
            branch = members + [m for o in orgs if o.parent_id == org.pk for m in members_by_org[o.code]]
            posts += _committee(ctx, org, _fit_for_office(ctx, branch), GRID_POSTS)
        elif org.level in LEADERSHIP_POSTS:
            posts += _committee(ctx, org, members, LEADERSHIP_POSTS[org.level])
        else:
            title = PositionTitle.GROUP_LEADER if org.level == Level.BUILDING_GROUP else PositionTitle.SECRETARY
            posts += _committee(ctx, org, _fit_for_office(ctx, members), [title])
    return posts


def _committee(ctx: DemoContext, org, members: list[PartyMember], titles) -> list[OrgPosition]:
    """The first members take the titles in order; each organization has at least as many members as titles."""
    return [_post(ctx, org, member, title) for member, title in zip(members, titles, strict=False)]


def _fit_for_office(ctx: DemoContext, members: list[PartyMember]) -> list[PartyMember]:
    """Members in a random order, those of working age who live here first."""
    shuffled = ctx.rng.sample(members, len(members))
    return sorted(shuffled, key=lambda m: m.kind == MemberKind.MOBILE or m.birth_date.year < 1950)


def _post(ctx: DemoContext, org, member: PartyMember, title: str, body: str = "", body_title: str = ""):
    start, end = TERM_STARTS.get(org.level, OTHER_TERMS)
    started_on = max(random_date(ctx.rng, start, end), member.joined_on + datetime.timedelta(days=1))
    return OrgPosition(
        member=member, organization=org, title=title, started_on=started_on, cross_body=body, cross_title=body_title
    )


def _set_secretaries(orgs: Sequence[Organization], posts: Sequence[OrgPosition]) -> None:
    secretaries = {p.organization_id: p.member for p in posts if p.title == PositionTitle.SECRETARY}
    for org in orgs:
        org.secretary = secretaries.get(org.pk)
    Organization.objects.bulk_update(orgs, ["secretary"], batch_size=500)


def _say_member_summary(ctx: DemoContext, members_by_org, posts) -> None:
    members = [m for ms in members_by_org.values() for m in ms]
    kinds = defaultdict(int)
    for member in members:
        kinds[member.kind] += 1
    veterans = sum(m.joined_on <= add_years(DEMO_TODAY, -40) for m in members)
    central = sum(m.is_central_household for m in members)
    mix = ", ".join(f"{MemberKind(k).label} {n}" for k, n in sorted(kinds.items()))
    ctx.say(
        f"orgs: {len(members)} Party members ({mix}); {veterans} of 40+ years' standing, {central} central households"
    )
    ctx.say(f"orgs: {len(posts)} posts, {sum(bool(p.cross_body) for p in posts)} of them cross-appointed")


# --- What later builders get ------------------------------------------------------------------------------------


def _share(ctx: DemoContext, city: Organization) -> None:
    """Put the tree into ctx.shared by level (ordered by code) and by code, for the builders that follow."""
    orgs = list(Organization.objects.filter(tree_id=city.tree_id).order_by("code"))
    by_level = defaultdict(list)
    for org in orgs:
        by_level[org.level].append(org)
    ctx.shared.update(
        city=city,
        orgs_by_code={org.code: org for org in orgs},
        streets=by_level[Level.STREET],
        communities=by_level[Level.COMMUNITY],
        grid_branches=by_level[Level.GRID_BRANCH],
        building_groups=by_level[Level.BUILDING_GROUP],
    )
