"""The demo's community side of services: the point-order menu, micro-wishes on the wall and the housekeeper
project library."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from core.demo import DemoContext, bulk_create, spread
from residents.models import Resident
from services.demo.helpers import DAY, DemoPlan, keeping_dates
from services.models import (
    HousekeeperProject,
    MenuService,
    MicroWish,
    ProjectKind,
    ProjectRating,
    ProviderKind,
    WishStatus,
)

FULFILLED_WISHES = 534  # seed 001
OPEN_WISHES = 60
HOUSEKEEPER_PROJECTS = 236  # seed 002

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


# --- Point-order menu ---------------------------------------------------------------------------------------------


def build_menu(ctx: DemoContext, plan: DemoPlan) -> None:
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


def build_wishes(ctx: DemoContext, plan: DemoPlan) -> None:
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


def _claimer(rng, plan: DemoPlan, wish: MicroWish) -> None:
    units, members = plan.units_by_community[wish.community_id], plan.members_by_community[wish.community_id]
    roll = rng.random()
    if members and roll < 0.5:
        wish.claimed_by_member = rng.choice(members)
    elif units and roll < 0.85:
        wish.claimed_by_unit = rng.choice(units)
    else:
        wish.claimed_by_org_id = wish.community_id


# --- Housekeeper projects ----------------------------------------------------------------------------------------


def build_projects(ctx: DemoContext, plan: DemoPlan) -> None:
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
