"""Ticket writes: intake, every transition of the life, the resident's rating. One transaction each.

Every change appends a TicketEvent (the timeline is never edited in place) and, in the same transaction, queues
the webhook deliveries for it through the outbox (core.outbox). Views, serializers, Open311, tasks and the admin
call these functions and nothing else.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.selectors import staff_responsible_for
from core import outbox
from core.scoping import ensure_in_scope
from core.statemachine import Action
from notifications.services import notify
from services.models import (
    EscalationLimit,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketPhoto,
    TicketStatus,
)
from services.tickets.actions import TICKETS
from services.tickets.calendar import add_working_hours
from services.tickets.routing import initial_handling

if TYPE_CHECKING:
    from django.core.files import File

    from accounts.models import User
    from grids.models import Visit
    from orgs.models import Organization
    from services.models import ServiceItem


def next_reference(*, day: datetime.date | None = None) -> str:
    """NG-20261123-0042: the prefix, the day, the day's running number; safe under concurrent intake."""
    day = day or timezone.localdate()
    TicketCounter.objects.get_or_create(day=day)
    counter = TicketCounter.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{settings.TICKET_REFERENCE_PREFIX}-{day:%Y%m%d}-{counter.last:04d}"


def _level_limit_hours(level: str) -> int:
    limit = EscalationLimit.objects.filter(level=level).values_list("working_hours", flat=True).first()
    return limit or 16


def set_level_deadline(
    ticket: Ticket, *, level: str, start: datetime.datetime, due: datetime.datetime | None = None
) -> None:
    """Start the clock for `level`: its deadline, and the moment the yellow card is due within it."""
    due = due or add_working_hours(start, _level_limit_hours(level))
    share = EscalationLimit.objects.filter(level=level).values_list("yellow_card_share", flat=True).first() or 75
    ticket.handling_level = level
    ticket.level_started_at = start
    ticket.level_due_at = due
    ticket.warn_at = start + (due - start) * share / 100


def record_event(
    *,
    ticket: Ticket,
    kind: str,
    by: User | None,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=by, note=note, from_status=from_status, to_status=to_status, data=data or {}
    )
    # Written in this transaction through the outbox, so a broker outage delays the webhooks and loses none.
    outbox.enqueue("services.tasks.enqueue_event_deliveries", [event.pk])
    return event


def _attach_photos(
    *, ticket: Ticket, event: TicketEvent | None, photos: Iterable[File[Any]] | None, by: User | None
) -> None:
    for photo in photos or ():
        # A photo needs its uploader; the one intake without a user (the public form) attaches no photos.
        TicketPhoto.objects.create(ticket=ticket, event=event, image=photo, uploaded_by=by)  # type: ignore[misc]


@transaction.atomic
def ticket_create(
    *,
    by: User | None,
    channel: str,
    service_item: ServiceItem,
    community: Organization,
    description: str,
    photos: Iterable[File[Any]] = (),
    **fields: Any,
) -> Ticket:
    """Register a ticket: reference, SLA deadlines on China's working calendar, first event, photos."""
    now = timezone.now()
    ticket = Ticket(channel=channel, service_item=service_item, community=community, description=description, **fields)
    ticket.full_clean(exclude=["reference", "handling_org", "rating_token"])
    level, handling_org = initial_handling(service_item=service_item, community=community, grid=ticket.grid)
    ticket.reference = next_reference()
    ticket.handling_org = handling_org
    ticket.created_by = by if getattr(by, "is_authenticated", False) else None
    ticket.response_due_at = add_working_hours(now, service_item.response_hours)
    ticket.resolution_due_at = add_working_hours(now, service_item.resolution_hours)
    set_level_deadline(ticket, level=level, start=now, due=ticket.resolution_due_at)
    ticket.save()
    event = record_event(ticket=ticket, kind="reported", by=ticket.created_by, to_status=TicketStatus.REPORTED)
    _attach_photos(ticket=ticket, event=event, photos=photos, by=ticket.created_by or by)
    if ticket.created_by is not None and ticket.created_by.role != Role.INTEGRATOR:
        ensure_in_scope(ticket, ticket.created_by)
    notify(
        recipients=staff_responsible_for(community), kind="ticket_reported",
        title=_("新工单 %(ref)s：%(item)s") % {"ref": ticket.reference, "item": service_item.name},
        dedup_key=f"ticket-reported:{ticket.pk}", link=f"/tickets/{ticket.pk}/",
    )  # fmt: skip
    return ticket


def _lock(ticket: Ticket) -> Ticket:
    locked: Ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    return locked


@transaction.atomic
def ticket_transition(
    *, ticket: Ticket, action: str, by: User, note: str = "", photos: Iterable[File[Any]] = (), **params: Any
) -> Ticket:
    """Move a ticket by `action`: the row of the ticket table says where it may go, what it needs and does."""
    if by.role == Role.OFFICIAL and not by.is_superuser:
        raise PermissionDenied(_("区级领导账号只读。"))
    ticket = _lock(ticket)
    source = ticket.status
    target = TICKETS.target_of(action, source)
    TICKETS.check_reason(action, {"note": note})
    row = TICKETS[action]
    data = row.effect(ticket, by=by, now=timezone.now(), params=params) if row.effect else {}
    ticket.status = target
    ticket.save()
    event = record_event(
        ticket=ticket, kind=action, by=by, note=note.strip(), from_status=source, to_status=target, data=data
    )
    _attach_photos(ticket=ticket, event=event, photos=photos, by=by)
    _notify_after(ticket=ticket, row=row)
    return ticket


def _notify_after(*, ticket: Ticket, row: Action) -> None:
    told = row.notice(ticket, row) if row.notice else None
    if told is None:
        return
    # The ticket table's notices name accounts.User rows; core.statemachine, which may not import accounts, types
    # them as Django's base user.
    recipients = cast("Sequence[User]", told[0])
    title = told[1]
    notify(
        recipients=recipients, kind=f"ticket_{row.name}", title=title, link=f"/tickets/{ticket.pk}/",
        dedup_key=f"ticket-{row.name}:{ticket.pk}:{ticket.events.count()}",
    )  # fmt: skip


LOW_RATING = 3  # below this the resident is dissatisfied: the ticket reopens and counts against the handler


def ticket_for_rating(*, token: str, lock: bool = False) -> Ticket:
    """The ticket a rating link names, or the ValidationError saying why the link cannot be used (the page shows it)."""
    tickets = Ticket.objects.select_for_update() if lock else Ticket.objects.all()
    ticket: Ticket | None = tickets.filter(rating_token=token).first() if token else None
    if ticket is None:
        raise ValidationError({"token": _("评价链接无效。")}, code="invalid_token")
    if ticket.status != TicketStatus.RESOLVED or ticket.rated_at is not None:
        raise ValidationError({"token": _("该工单已评价或暂不能评价。")}, code="used_token")
    if ticket.rating_token_expires_at and ticket.rating_token_expires_at < timezone.now():
        raise ValidationError({"token": _("评价链接已过期。")}, code="expired_token")
    return ticket


@transaction.atomic
def ticket_rate(*, token: str, rating: int, comment: str = "") -> Ticket:
    """The resident's rating through the unguessable link; a low rating reopens the ticket for review."""
    ticket = ticket_for_rating(token=token, lock=True)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("请给出 1 到 5 分的评价。")})
    ticket.rating = rating
    ticket.rating_comment = comment.strip()
    ticket.rated_at = timezone.now()
    source = ticket.status
    if rating < LOW_RATING:
        ticket.status = TicketStatus.REOPENED
        ticket.resolved_at = None
        kind, data = "rated_dissatisfied", {"rating": rating, "counts_against": _handling_party(ticket)}
    else:
        ticket.status = TicketStatus.CLOSED
        ticket.closed_at = ticket.rated_at
        kind, data = "rated", {"rating": rating}
    ticket.save()
    record_event(
        ticket=ticket, kind=kind, by=None, note=ticket.rating_comment, from_status=source, to_status=ticket.status,
        data=data,
    )  # fmt: skip
    return ticket


def _handling_party(ticket: Ticket) -> dict[str, Any]:
    return {
        "user": ticket.assignee_user_id,
        "unit": ticket.assignee_unit_id,
        "department": ticket.assignee_department,
        "organization": ticket.handling_org_id,
    }


def close_unrated_tickets(*, now: datetime.datetime | None = None) -> int:
    """Resolved tickets whose rating link has lapsed close as 'not rated' (set-based, idempotent)."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = list(
            Ticket.objects.select_for_update(skip_locked=True)
            .filter(status=TicketStatus.RESOLVED, rated_at__isnull=True, rating_token_expires_at__lt=now)
            .values_list("pk", flat=True)
        )
        Ticket.objects.filter(pk__in=stale).update(status=TicketStatus.CLOSED, closed_at=now, closed_unrated=True)
        events = TicketEvent.objects.bulk_create(
            TicketEvent(
                ticket_id=pk, kind="closed_unrated", from_status=TicketStatus.RESOLVED, to_status=TicketStatus.CLOSED
            )
            for pk in stale
        )
    from services.tickets.webhooks import enqueue_deliveries

    for event in events:
        enqueue_deliveries(event_id=event.pk)
    return len(stale)


@transaction.atomic
def ticket_from_visit(*, visit: Visit, by: User, service_item: ServiceItem, description: str = "") -> Ticket:
    """A visit marked "follow-up needed" becomes a ticket in one step, located at the visited household."""
    existing = Ticket.objects.filter(source_visit=visit).values_list("reference", flat=True).first()
    if existing:
        raise ValidationError({"visit": _("该走访已转为工单 %(ref)s。") % {"ref": existing}})
    household = visit.household
    grid = household.building.grid
    return ticket_create(
        by=by, channel="visit_follow_up", service_item=service_item, community=grid.community,
        description=description or visit.notes or _("走访发现需跟进事项"), grid=grid, building=household.building,
        household=household, reporter=household.head, source_visit=visit,
    )  # fmt: skip


REPEAT_CALL = "repeat_call"  # the timeline event of a call added to a ticket already on file


@transaction.atomic
def ticket_add_call(*, ticket: Ticket, by: User, note: str = "", channel: str = "") -> TicketEvent:
    """Another call about a matter already on file: appended to that ticket's timeline instead of a new ticket."""
    if by.role == Role.OFFICIAL and not by.is_superuser:
        raise PermissionDenied(_("区级领导账号只读。"))
    ticket = _lock(ticket)
    if not ticket.is_open:
        raise ValidationError(
            _("工单当前为“%(status)s”，不能追加来电，请登记新工单。") % {"status": ticket.get_status_display()},
            code="illegal_transition",
        )
    ensure_in_scope(ticket, by)
    return record_event(ticket=ticket, kind=REPEAT_CALL, by=by, note=note.strip(), data={"channel": channel})


@transaction.atomic
def ticket_accept_and_dispatch(*, ticket: Ticket, by: User, note: str = "", **assignee: Any) -> Ticket:
    """受理并派单: the two rows of the ticket table in one transaction, two events as if taken one after the other;
    if the dispatch is refused, the acceptance is undone with it."""
    ticket = ticket_transition(ticket=ticket, action="accept", by=by, note=note)
    return ticket_transition(ticket=ticket, action="dispatch", by=by, **assignee)


@transaction.atomic
def ticket_create_and_dispatch(
    *, by: User, assignee_user: User, photos: Iterable[File[Any]] = (), **fields: Any
) -> Ticket:
    """The hotline files a call and hands it on at once (受理并派单 on the intake form): one transaction, three
    events (reported, accepted, dispatched); a refused assignee files nothing."""
    ticket = ticket_create(by=by, photos=photos, **fields)
    return ticket_accept_and_dispatch(ticket=ticket, by=by, assignee_user=assignee_user)
