"""The organization-level rule table: which level may sit directly under which. The one place it is written.

The table allows the variants in the case studies: street → community → grid branch → building group (four
levels, Ningguo); grid branches straight under the community (Tongling's three levels); building groups straight
under a small community; Xunyang's 片区党支部/网格党小组 map onto grid_branch/building_group. Special, two-new,
unit and joint organizations sit beside the main line under a district, street or community.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    DISTRICT = "district", _("区/市委")
    STREET = "street", _("街道党工委")
    COMMUNITY = "community", _("社区党委/党总支")
    GRID_BRANCH = "grid_branch", _("网格（小区）党支部")
    BUILDING_GROUP = "building_group", _("楼栋党小组")
    SPECIAL = "special", _("特色党组织")
    TWO_NEW = "two_new", _("两新党组织")
    UNIT = "unit", _("驻区单位党组织")
    JOINT = "joint", _("联合党组织")


_BESIDE_MAIN_LINE = {Level.SPECIAL, Level.TWO_NEW, Level.UNIT, Level.JOINT}

# parent level (None = a root of the tree) -> levels allowed directly beneath it
ALLOWED_CHILDREN: dict[str | None, frozenset[str]] = {
    None: frozenset({Level.DISTRICT, Level.STREET, Level.COMMUNITY}),
    Level.DISTRICT: frozenset({Level.STREET} | _BESIDE_MAIN_LINE),
    Level.STREET: frozenset({Level.COMMUNITY} | _BESIDE_MAIN_LINE),
    Level.COMMUNITY: frozenset({Level.GRID_BRANCH, Level.BUILDING_GROUP} | _BESIDE_MAIN_LINE),
    Level.GRID_BRANCH: frozenset({Level.BUILDING_GROUP}),
    Level.BUILDING_GROUP: frozenset(),
    Level.SPECIAL: frozenset(),
    # A unit's or firm's Party committee may have its own branches beneath it.
    Level.TWO_NEW: frozenset({Level.TWO_NEW}),
    Level.UNIT: frozenset({Level.UNIT}),
    Level.JOINT: frozenset(),
}


def is_allowed(child_level: str, parent_level: str | None) -> bool:
    return child_level in ALLOWED_CHILDREN.get(parent_level, frozenset())


def check_placement(child_level: str, parent_level: str | None) -> None:
    """Raise a ValidationError naming both levels when `child_level` may not sit under `parent_level`."""
    if is_allowed(child_level, parent_level):
        return
    child_label = Level(child_level).label
    if parent_level is None:
        raise ValidationError(
            _("“%(child)s”不能作为最上级组织，请选择上级组织。"), code="level_not_root", params={"child": child_label}
        )
    raise ValidationError(
        _("“%(child)s”不能设在“%(parent)s”之下。"),
        code="level_not_allowed",
        params={"child": child_label, "parent": Level(parent_level).label},
    )
