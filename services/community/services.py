"""Writes for point-order services (点单-下单-接单), micro-wishes (微心愿) and housekeeper projects (管家计划).

A point order is a Ticket of channel point_order that names its menu item: placing it is `ticket_create`, and
dispatching, taking and finishing it are moves of the one ticket transition table (`ticket_transition`), so an
order has the same timeline, SLA, escalation, rating and scoping as any other ticket; there is no second workflow.

Micro-wishes have a small life of their own (posted → claimed → fulfilled → confirmed, or withdrawn), kept as one
table in services.community.actions; a move the table forbids raises a ValidationError with code
"illegal_transition" (the API's 409).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.scoping import CHANGE, ensure_in_scope
from services.community.actions import WISHES
from services.models import (
    Channel,
    HousekeeperProject,
    MenuService,
    MicroWish,
    ProjectRating,
    ProviderKind,
    Ticket,
    TicketStatus,
)
from services.tickets.services import record_event, ticket_create, ticket_transition
from services.validators import validate_ticket_photo

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from cobuilding.models import ResidentUnit
    from orgs.models import Organization, PartyMember
    from residents.models import Resident

# --- Point orders: the ticket life, entered through the menu ------------------------------------------------------


def _writer(by: User) -> None:
    if by.role == Role.OFFICIAL and not by.is_superuser:
        raise PermissionDenied(_("区级领导账号只读。"))


def _order(ticket: Ticket, by: User) -> None:
    _writer(by)
    if ticket.channel != Channel.POINT_ORDER or ticket.menu_item_id is None:
        raise ValidationError(_("该工单不是群众点单。"), code="not_an_order")
    ensure_in_scope(ticket, by, CHANGE)


@transaction.atomic
def order_place(
    *, menu_item: MenuService, by: User, description: str = "", photos: Iterable[UploadedFile] = (), **fields: Any
) -> Ticket:
    """点单: a resident orders a menu service (recorded by staff or a grid worker); it becomes a ticket."""
    _writer(by)
    if not menu_item.is_active:
        raise ValidationError({"menu_item": _("该服务已下架。")})
    return ticket_create(
        by=by, channel=Channel.POINT_ORDER, service_item=menu_item.service_item, community=menu_item.community,
        description=description.strip() or menu_item.title, photos=photos, menu_item=menu_item, **fields,
    )  # fmt: skip


def dispatch_target(menu_item: MenuService) -> dict[str, Any]:
    """Where 下单 sends an order of `menu_item`, as ticket_transition's dispatch parameters.

    A resident unit takes it through its co-building agreement (assignee_unit, so the unit's liaison sees it). A
    Party organization takes it through its own portal account if it has exactly one active staff account scoped
    to it (standing in for its secretary); otherwise, like a Party member, who has no login of their own, it is
    dispatched by name as a department and the provider is recorded on the timeline.
    """
    if menu_item.provider_kind == ProviderKind.UNIT:
        return {"assignee_unit": menu_item.provider_unit}
    if menu_item.provider_kind == ProviderKind.ORGANIZATION:
        org = cast("Organization", menu_item.provider_org)  # MenuService.clean() requires the provider of its kind
        accounts = list(User.objects.filter(is_active=True, role=Role.STAFF, scope=org)[:2])
        if len(accounts) == 1:
            return {"assignee_user": accounts[0]}
        return {"assignee_department": org.name[:100]}
    member = cast("PartyMember", menu_item.provider_member)  # MenuService.clean() requires the provider of its kind
    return {"assignee_department": f"{member.organization.name} {member.name}"[:100]}


@transaction.atomic
def order_dispatch(*, ticket: Ticket, by: User, note: str = "") -> Ticket:
    """下单: the community sends the order to the menu service's provider (accepting it first if still new)."""
    _order(ticket, by)
    if ticket.status == TicketStatus.REPORTED:
        ticket = ticket_transition(ticket=ticket, action="accept", by=by)
    menu_item = MenuService.objects.select_related("provider_org", "provider_member__organization").get(
        pk=cast(int, ticket.menu_item_id)  # _order() refused a ticket without a menu item
    )
    target = dispatch_target(menu_item)
    if "assignee_user" in target and not User.objects.visible_to(by).filter(pk=target["assignee_user"].pk).exists():
        # Only an organization provider is dispatched to a user account (dispatch_target).
        target = {"assignee_department": cast("Organization", menu_item.provider_org).name[:100]}
    ticket = ticket_transition(ticket=ticket, action="dispatch", by=by, note=note, **target)
    record_event(
        ticket=ticket, kind="order_provider", by=by, note=menu_item.title,
        data={
            "menu_item": menu_item.pk, "provider_kind": menu_item.provider_kind,
            "provider_org": menu_item.provider_org_id, "provider_member": menu_item.provider_member_id,
            "provider_unit": menu_item.provider_unit_id,
        },
    )  # fmt: skip
    return ticket


@transaction.atomic
def order_take(*, ticket: Ticket, by: User, note: str = "") -> Ticket:
    """接单: the provider (or staff on its behalf) takes the dispatched order and starts on it."""
    _order(ticket, by)
    return ticket_transition(ticket=ticket, action="start", by=by, note=note)


@transaction.atomic
def order_done(*, ticket: Ticket, by: User, note: str = "", photos: Iterable[UploadedFile] = ()) -> Ticket:
    """The provider reports the order done: the ticket is resolved and the resident's rating link goes out."""
    _order(ticket, by)
    return ticket_transition(ticket=ticket, action="resolve", by=by, note=note, photos=photos)


# --- Micro-wishes -------------------------------------------------------------------------------------------------


def _wish_move(wish: MicroWish, action: str, by: User) -> MicroWish:
    """Lock the wish, check the move against the wish table and the user's scope; the caller sets the fields."""
    _writer(by)
    wish = MicroWish.objects.select_for_update().get(pk=wish.pk)
    ensure_in_scope(wish, by, CHANGE)
    wish.status = WISHES.target_of(action, wish.status)
    return wish


def _community_of(resident: Resident) -> Organization:
    return resident.household.building.grid.community


@transaction.atomic
def wish_post(*, resident: Resident, title: str, by: User, description: str = "") -> MicroWish:
    """A grid worker or staff member posts a wish for a resident; it belongs to the resident's community."""
    _writer(by)
    wish = MicroWish(
        resident=resident, community=_community_of(resident), title=title.strip(), description=description.strip(),
        posted_by=by,
    )  # fmt: skip
    wish.full_clean(exclude=["fulfilment_photo"])
    wish.save()
    ensure_in_scope(wish, by, CHANGE)
    return wish


@transaction.atomic
def wish_claim(
    *,
    wish: MicroWish,
    by: User,
    member: PartyMember | None = None,
    unit: ResidentUnit | None = None,
    organization: Organization | None = None,
) -> MicroWish:
    """A Party member, a resident unit or a Party organization claims the wish; a wish is claimed once only."""
    if sum(x is not None for x in (member, unit, organization)) != 1:
        raise ValidationError({"claimed_by": _("请选择一名认领党员、一个认领单位或一个认领党组织。")})
    wish = _wish_move(wish, "claim", by)
    wish.claimed_by_member, wish.claimed_by_unit, wish.claimed_by_org = member, unit, organization
    wish.claimed_at = timezone.now()
    wish.save()
    return wish


def _clean_photo(photo: UploadedFile | None) -> None:
    if not photo:
        raise ValidationError({"fulfilment_photo": _("请上传心愿实现的照片。")})
    try:
        validate_ticket_photo(photo)
    except ValidationError as exc:
        raise ValidationError({"fulfilment_photo": exc.messages}) from None


@transaction.atomic
def wish_fulfil(*, wish: MicroWish, photo: UploadedFile, by: User) -> MicroWish:
    """The claimer has fulfilled the wish: a photo is the evidence; the resident confirms afterwards."""
    _clean_photo(photo)
    wish = _wish_move(wish, "fulfil", by)
    # An upload always carries the name the client sent.
    wish.fulfilment_photo.save(cast(str, photo.name).rsplit("/", 1)[-1][-60:], photo, save=False)
    wish.fulfilled_at = timezone.now()
    wish.save()
    return wish


@transaction.atomic
def wish_confirm(*, wish: MicroWish, by: User) -> MicroWish:
    """The resident's confirmation, recorded by the staff member or grid worker who heard it."""
    wish = _wish_move(wish, "confirm", by)
    wish.confirmed_at = timezone.now()
    wish.save()
    return wish


@transaction.atomic
def wish_withdraw(*, wish: MicroWish, by: User) -> MicroWish:
    """Take a wish off the wall (the resident no longer needs it); a fulfilled wish stays."""
    wish = _wish_move(wish, "withdraw", by)
    wish.save()
    return wish


# --- Housekeeper projects (管家计划) ------------------------------------------------------------------------------


@transaction.atomic
def project_claim(
    *, project: HousekeeperProject, unit: ResidentUnit, funding: Decimal, by: User, carried_out_by: str = ""
) -> HousekeeperProject:
    """An alliance unit claims a project and funds it; a project is claimed by one unit only."""
    _writer(by)
    project = HousekeeperProject.objects.select_for_update().get(pk=project.pk)
    ensure_in_scope(project, by, CHANGE)
    if project.funded_by_id is not None:
        raise ValidationError(_("该项目已被认领。"), code="illegal_transition")
    if funding is None or Decimal(funding) <= 0:
        raise ValidationError({"funding": _("请填写大于 0 的资助金额。")})
    project.funded_by, project.funding = unit, Decimal(funding)
    if carried_out_by.strip():
        project.carried_out_by = carried_out_by.strip()
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def project_rate(*, project: HousekeeperProject, rating: str, by: User) -> HousekeeperProject:
    """The yearly rating (示范项目, 优秀项目, 合格) of a claimed project."""
    _writer(by)
    project = HousekeeperProject.objects.select_for_update().get(pk=project.pk)
    ensure_in_scope(project, by, CHANGE)
    if rating not in ProjectRating.values:
        raise ValidationError({"rating": _("请选择有效的评定等级。")})
    if project.funded_by_id is None:
        raise ValidationError(_("项目尚未被认领实施，不能评定。"), code="illegal_transition")
    project.rating = rating
    project.save(update_fields=["rating"])
    return project
