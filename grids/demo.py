"""Demo grids for Ningguo (seed 000): 18 first-level, 47 second-level and 122 third-level grids, a grid head and a
full-time grid worker with a login in every third-level grid, building heads, and the buildings and households
the residents builder fills. The visits are built in residents.demo, after the residents: they follow who needs care.

Each community is one first-level grid; it has one second-level grid per grid Party branch the organization
builder gave it (47 in all), and each second-level grid has two or three third-level grids, the first of them tied
to that branch. Everything goes in with bulk inserts; the grid trees get their mptt numbers from one rebuild each.
A few gaps are left on purpose (empty new buildings, vacant rooms) so the coverage report has something to show.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict

from django.contrib.auth.hashers import make_password
from django.db.models import Max

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User
from core.demo import DemoContext, bulk_create, format_table, random_date, spread
from core.validators import FEMALE, MALE
from grids.models import (
    Building,
    BuildingKind,
    Grid,
    GridDuty,
    GridLevel,
    GridRole,
    Household,
    HouseholdKind,
)
from grids.scope import worked_grids

THIRD_LEVEL_GRIDS = 122
RESIDENTS_PER_SCALE = 4000
MEAN_HOUSEHOLD_SIZE = 2.6  # members of an occupied household, as the residents builder draws them
WORKER_USERNAME = "grid{:03d}"
HOUSEHOLD_KINDS = {HouseholdKind.REGISTERED: 72, HouseholdKind.RENTING: 20, HouseholdKind.BUSINESS: 3}
VACANT_SHARE = 0.04  # rooms nobody lives in: "households with no residents" in the report
EMPTY_BUILDING_EVERY = 6  # every sixth grid has a newly finished building nobody has moved into yet
NUMERALS = "一二三四五六七八九十"
ROLE_START = (datetime.date(2019, 1, 1), datetime.date(2024, 12, 31))
# The demo map: a box around Ningguo's centre (118.98E, 30.63N), cut into one cell per community, strips per
# second-level grid and slices per third-level grid, so outlines nest and never overlap (a sketch, not a survey).
MAP_CENTRE = (118.98, 30.63)
COMMUNITY_CELL = (0.030, 0.024)  # degrees of longitude and latitude, about 2.9 km by 2.7 km


def build(ctx: DemoContext) -> None:
    communities = ctx.shared["communities"]
    if Grid.objects.filter(code=_first_code(communities[0])).exists():
        ctx.say("grids: the demo grids already exist, leaving them as they are")
    else:
        grids = _build_grids(ctx, communities)
        workers = _build_roles(ctx, grids)
        _give_the_grid_login_its_grid(ctx)
        _build_buildings_and_households(ctx, grids)
        ctx.say(f"grids: {len(workers)} grid workers with logins ({WORKER_USERNAME.format(1)}…), password as above")
    draw_outlines(ctx, communities)
    _share(ctx, communities)
    _say_logins(ctx)


def _first_code(community) -> str:
    return f"{community.code}-W"


# --- Grids ------------------------------------------------------------------------------------------------------


def _build_grids(ctx: DemoContext, communities) -> list[Grid]:
    branches = defaultdict(list)
    for branch in ctx.shared["grid_branches"]:
        branches[branch.parent_id].append(branch)
    thirds_per_second = iter(spread(ctx.rng, THIRD_LEVEL_GRIDS, len(ctx.shared["grid_branches"]), minimum=2))
    next_tree = (Grid.objects.aggregate(top=Max("tree_id"))["top"] or 0) + 1
    levels: dict[int, list[Grid]] = defaultdict(list)
    for tree_id, community in enumerate(communities, start=next_tree):
        short = community.name.removesuffix("社区党委")
        first = _grid(community, None, _first_code(community), f"{short}社区网格", GridLevel.FIRST, tree_id)
        levels[1].append(first)
        for number, branch in enumerate(sorted(branches[community.pk], key=lambda b: b.code), start=1):
            second = _grid(community, first, f"{first.code}{number:02d}", f"{short}社区第{NUMERALS[number - 1]}片区",
                           GridLevel.SECOND, tree_id)  # fmt: skip
            levels[2].append(second)
            for index in range(1, next(thirds_per_second) + 1):
                name = f"{second.name}第{NUMERALS[index - 1]}网格"
                third = _grid(community, second, f"{second.code}-{index}", name, GridLevel.THIRD, tree_id)
                third.branch = branch if index == 1 else None  # one-to-one with the grid Party branch
                levels[3].append(third)
    for depth in (1, 2, 3):
        bulk_create(Grid, levels[depth])
    for tree_id in range(next_tree, next_tree + len(communities)):
        Grid.objects.partial_rebuild(tree_id)
    ctx.say(f"grids: {len(levels[1])} first-level, {len(levels[2])} second-level, {len(levels[3])} third-level grids")
    return levels[3]


def _grid(community, parent, code: str, name: str, grid_level: int, tree_id: int) -> Grid:
    """An unsaved grid; lft/rght are placeholders the rebuild replaces."""
    return Grid(
        community=community, parent=parent, code=code, name=name, grid_level=grid_level, boundary=f"{name}四至范围",
        tree_id=tree_id, level=parent.level + 1 if parent else 0, lft=0, rght=0,
    )  # fmt: skip


# --- Outlines for the dashboard map ----------------------------------------------------------------------------


def draw_outlines(ctx: DemoContext, communities) -> None:
    """Give the demo grids that have none a rectangle outline: deterministic (by code), nested, non-overlapping."""
    grids = list(Grid.objects.filter(community__in=communities).order_by("code"))
    if all(grid.outline for grid in grids):
        return
    children: dict[int | None, list[Grid]] = defaultdict(list)
    for grid in grids:
        children[grid.parent_id].append(grid)
    firsts = children[None]
    columns = max(1, math.ceil(math.sqrt(len(firsts))))
    rows = -(-len(firsts) // columns)
    width, height = COMMUNITY_CELL
    west, south = MAP_CENTRE[0] - columns * width / 2, MAP_CENTRE[1] - rows * height / 2
    for index, first in enumerate(firsts):
        column, row = index % columns, rows - 1 - index // columns  # first community in the north-west
        box = (west + column * width, south + row * height, width, height)
        _outline_subtree(first, box, children, vertical=True)
    Grid.objects.bulk_update([g for g in grids if g.outline], ["outline"], batch_size=500)
    ctx.say(f"grids: outlines drawn for {len(grids)} grids around Ningguo (for the dashboard map)")


def _outline_subtree(grid: Grid, box: tuple[float, float, float, float], children, *, vertical: bool) -> None:
    """This grid fills `box`; its children cut it in equal strips, alternating direction at each level."""
    grid.outline = grid.outline or _rectangle(*box)
    west, south, width, height = box
    kids = children[grid.pk]
    for index, child in enumerate(kids):
        if vertical:
            part = (west + index * width / len(kids), south, width / len(kids), height)
        else:
            part = (west, south + height - (index + 1) * height / len(kids), width, height / len(kids))
        _outline_subtree(child, part, children, vertical=not vertical)


def _rectangle(west: float, south: float, width: float, height: float) -> dict:
    corners = [(west, south), (west + width, south), (west + width, south + height), (west, south + height)]
    ring = [[round(lng, 6), round(lat, 6)] for lng, lat in [*corners, corners[0]]]
    return {"type": "Polygon", "coordinates": [ring]}


# --- People with duties -----------------------------------------------------------------------------------------


def _build_roles(ctx: DemoContext, grids: list[Grid]) -> list[User]:
    password = make_password(DEMO_PASSWORD)  # hashed once: 122 hashes would take half a minute
    workers, roles = [], []
    for number, grid in enumerate(grids, start=1):
        gender = MALE if ctx.rng.random() < 0.45 else FEMALE
        name = ctx.person_name(gender)
        user = User(
            username=WORKER_USERNAME.format(number), password=password, role=Role.GRID_WORKER,
            scope=grid.community, first_name=name, phone=ctx.mobile(),
        )  # fmt: skip
        workers.append(user)
        started = random_date(ctx.rng, *ROLE_START)
        roles.append(GridRole(grid=grid, duty=GridDuty.FULL_TIME_WORKER, name=name, phone=user.phone, user=user,
                              started_on=started))  # fmt: skip
        roles.append(_role(ctx, grid, GridDuty.GRID_HEAD))
    bulk_create(User, workers)
    bulk_create(GridRole, roles)
    return workers


def _give_the_grid_login_its_grid(ctx: DemoContext) -> None:
    """The printed "grid" login (scoped to a grid branch by the accounts builder) works the grid tied to that branch."""
    user = User.objects.filter(username="grid", role=Role.GRID_WORKER, scope__isnull=False).first()
    grid = Grid.objects.filter(branch_id=user.scope_id).first() if user else None
    if grid is not None:
        GridRole.objects.create(
            grid=grid, duty=GridDuty.PART_TIME_WORKER, name=user.first_name or user.username, user=user,
            started_on=random_date(ctx.rng, *ROLE_START),
        )  # fmt: skip


def _role(ctx: DemoContext, grid: Grid, duty: str) -> GridRole:
    gender = MALE if ctx.rng.random() < 0.6 else FEMALE
    return GridRole(
        grid=grid, duty=duty, name=ctx.person_name(gender), phone=ctx.mobile(),
        started_on=random_date(ctx.rng, *ROLE_START),
    )  # fmt: skip


# --- Buildings and households -----------------------------------------------------------------------------------


def _build_buildings_and_households(ctx: DemoContext, grids: list[Grid]) -> None:
    occupied_target = round(RESIDENTS_PER_SCALE * ctx.scale / MEAN_HOUSEHOLD_SIZE)
    per_grid = spread(ctx.rng, occupied_target, len(grids), minimum=1)
    buildings, rooms, heads = [], [], []
    for index, (grid, occupied) in enumerate(zip(grids, per_grid, strict=True)):
        grid_buildings, grid_rooms = _plan_grid(ctx, grid, occupied)
        if index % EMPTY_BUILDING_EVERY == 0:
            grid_buildings.append(Building(grid=grid, name=f"新建{len(grid_buildings) + 1}栋", floors=18, units=2,
                                           address=f"{grid.name}（在建，未入住）"))  # fmt: skip
        buildings += grid_buildings
        rooms += grid_rooms
        heads += [_role(ctx, grid, GridDuty.BUILDING_HEAD) for b in grid_buildings[::2] if b.floors and b.floors > 1]
    bulk_create(Building, buildings, batch_size=1000)
    households = []
    for building, unit, room in rooms:
        vacant = ctx.rng.random() < VACANT_SHARE
        kind = (
            HouseholdKind.VACANT
            if vacant
            else ctx.rng.choices(list(HOUSEHOLD_KINDS), list(HOUSEHOLD_KINDS.values()))[0]
        )
        households.append(Household(building=building, unit=unit, room=room, kind=kind))
    bulk_create(Household, households, batch_size=2000)
    bulk_create(GridRole, heads)
    vacant = sum(h.kind == HouseholdKind.VACANT for h in households)
    ctx.say(
        f"grids: {len(buildings)} buildings, {len(households)} households ({vacant} vacant), "
        f"{len(heads)} building heads"
    )


def _plan_grid(ctx: DemoContext, grid: Grid, occupied: int) -> tuple[list[Building], list[tuple]]:
    """Buildings enough for `occupied` households (plus vacant rooms), and the rooms to make in them."""
    buildings, rooms = [], []
    wanted = round(occupied / (1 - VACANT_SHARE))
    while len(rooms) < wanted:
        number = len(buildings) + 1
        if ctx.rng.random() < 0.2:
            building = Building(grid=grid, name=f"{number}巷", kind=BuildingKind.BUNGALOW, floors=1, units=1,
                                address=f"{grid.name}{number}巷")  # fmt: skip
            places = [("", f"{n}号") for n in range(1, ctx.rng.randint(4, 10) + 1)]
        else:
            floors, units = ctx.rng.choice((6, 6, 7, 11, 18)), ctx.rng.choice((1, 2, 2, 3))
            kind = BuildingKind.MIXED if ctx.rng.random() < 0.08 else BuildingKind.RESIDENTIAL
            building = Building(grid=grid, name=f"{number}栋", kind=kind, floors=floors, units=units,
                                address=f"{grid.name}{number}栋")  # fmt: skip
            places = [(str(u), f"{f}0{r}") for u in range(1, units + 1) for f in range(1, floors + 1) for r in (1, 2)]
        buildings.append(building)
        rooms += [(building, unit, room) for unit, room in places[: wanted - len(rooms)]]
    return buildings, rooms


# --- Sharing and the logins table -------------------------------------------------------------------------------


def _share(ctx: DemoContext, communities) -> None:
    grids = list(
        Grid.objects.filter(community__in=communities, grid_level=GridLevel.THIRD).select_related("community")
        .order_by("code")
    )  # fmt: skip
    workers = dict(
        GridRole.objects.filter(grid__in=grids, duty=GridDuty.FULL_TIME_WORKER, user__isnull=False)
        .values_list("grid_id", "user_id")
    )  # fmt: skip
    ctx.shared.update(third_level_grids=grids, grid_workers=workers)


def _say_logins(ctx: DemoContext) -> None:
    first = User.objects.filter(username=WORKER_USERNAME.format(1)).first()
    if first is None:
        return
    grids = worked_grids(first)
    grid = grids[0].name if grids else "-"
    rows = [[first.username, DEMO_PASSWORD, str(Role(first.role).label), grid]]
    ctx.epilogue += [
        "",
        f"网格员账号 (grid workers): {WORKER_USERNAME.format(1)} … {WORKER_USERNAME.format(THIRD_LEVEL_GRIDS)}",
        *format_table(["用户名", "密码", "角色", "网格"], rows),
    ]
