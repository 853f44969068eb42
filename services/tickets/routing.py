"""Where a new ticket starts: the level its service item names (承办层级) first, then the place it was reported.

One rule for every way in (hotline and one window, grid reports, visits, Open311, the API): they all file through
`ticket_create`, which asks `initial_handling`. The escalation ladder (services.tickets.escalation) climbs from
whatever rung a ticket starts at, so an item handled by the street starts at the street and climbs to the district.
"""

from __future__ import annotations

from orgs.models import Organization
from services.models import ORG_LEVEL_OF, HandlingLevel


def _ancestor_at(community: Organization, level: str) -> Organization | None:
    """The community itself or its nearest ancestor at the organization level that stands for `level`."""
    wanted = ORG_LEVEL_OF[level]
    if community.level == wanted:
        return community
    return community.get_ancestors(ascending=True).filter(level=wanted).first()


def initial_handling(*, service_item, community: Organization, grid=None) -> tuple[str, Organization]:
    """(handling level, answering organization) for a new ticket.

    GRID → the grid's Party branch (the community when the ticket has no grid or the grid no branch);
    COMMUNITY → the community; STREET and DISTRICT → the community's ancestor at that level. A level with no such
    organization above the community falls back one rung down, to the community at the least, so a ticket always
    has someone answering for it.
    """
    level = service_item.handling_level if service_item is not None else HandlingLevel.COMMUNITY
    if level == HandlingLevel.GRID:
        if grid is not None and grid.branch_id:
            return HandlingLevel.GRID, grid.branch
        return HandlingLevel.COMMUNITY, community
    if level == HandlingLevel.DISTRICT:
        district = _ancestor_at(community, HandlingLevel.DISTRICT)
        if district is not None:
            return HandlingLevel.DISTRICT, district
        level = HandlingLevel.STREET
    if level == HandlingLevel.STREET:
        street = _ancestor_at(community, HandlingLevel.STREET)
        if street is not None:
            return HandlingLevel.STREET, street
    return HandlingLevel.COMMUNITY, community
