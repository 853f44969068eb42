"""The demo city's services: 56 catalogue items, the two published lists, a year of tickets whose references continue
the day's sequence, a point-order menu with orders, 534 fulfilled wishes, 236 housekeeper projects; a second run
changes nothing."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import override_settings
from django.utils import timezone

from accounts.models import Role, User
from services.demo import TICKETS_PER_SCALE
from services.models import (
    Channel,
    EscalationLimit,
    HousekeeperProject,
    ListKind,
    MenuService,
    MicroWish,
    ProjectKind,
    ProjectRating,
    PublishedListEntry,
    ServiceItem,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketStatus,
    WishStatus,
)
from services.tickets.calendar import add_working_hours
from services.tickets.services import next_reference

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    out = StringIO()
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(DEBUG=True, MEDIA_ROOT=media), transaction.atomic():
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_catalogue_has_56_items_across_every_category_with_slas(seeded):
    items = ServiceItem.objects.all()
    assert items.count() == 56
    assert items.values("category").distinct().count() == 9
    assert items.filter(name__contains="法律咨询").exists() and items.filter(name__contains="家政服务").exists()
    assert not items.filter(resolution_hours__lt=1).exists()
    assert EscalationLimit.objects.count() >= 4


def test_micro_power_and_negative_conduct_lists_are_published_for_the_city(seeded):
    assert PublishedListEntry.objects.filter(kind=ListKind.MICRO_POWER, organization__code="NG").count() == 20
    assert PublishedListEntry.objects.filter(kind=ListKind.NEGATIVE_CONDUCT, organization__code="NG").count() == 24


def test_a_year_of_tickets_with_a_realistic_status_mix(seeded):
    tickets = Ticket.objects.all()
    assert tickets.count() == TICKETS_PER_SCALE
    by_status = dict(tickets.values_list("status").annotate(n=Count("pk")))
    assert by_status[TicketStatus.CLOSED] > 0.8 * TICKETS_PER_SCALE
    assert by_status.get(TicketStatus.REJECTED, 0) > 0
    assert sum(by_status.get(s, 0) for s in (TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS)) > 0
    assert tickets.filter(rating__isnull=False).count() > 0.6 * TICKETS_PER_SCALE
    assert tickets.filter(closed_unrated=True).exists()
    assert tickets.filter(escalation_count__gte=1).exists() and tickets.filter(flagged_for_district=True).exists()
    assert tickets.filter(channel=Channel.POINT_ORDER, menu_item__isnull=False).exists()
    assert not tickets.annotate(n=Count("events")).filter(n=0).exists()
    assert TicketEvent.objects.filter(kind="escalated").exists()


def test_references_are_unique_and_new_tickets_continue_each_days_sequence(seeded):
    assert Ticket.objects.values("reference").distinct().count() == Ticket.objects.count()
    latest = Ticket.objects.order_by("-created_at").first()
    day = timezone.localdate(latest.created_at)
    numbers = Ticket.objects.filter(reference__contains=f"-{day:%Y%m%d}-").values_list("reference", flat=True)
    last_of_day = max(int(reference.rsplit("-", 1)[1]) for reference in numbers)
    assert TicketCounter.objects.get(day=day).last == last_of_day
    assert next_reference(day=day) == f"{settings.TICKET_REFERENCE_PREFIX}-{day:%Y%m%d}-{last_of_day + 1:04d}"


def test_point_order_menu_in_every_community(seeded):
    assert MenuService.objects.values("community").distinct().count() == 18
    assert MenuService.objects.values("provider_kind").distinct().count() == 3


def test_534_fulfilled_wishes_and_some_open_on_the_wall(seeded):
    fulfilled = MicroWish.objects.filter(status__in=[WishStatus.FULFILLED, WishStatus.CONFIRMED])
    assert fulfilled.count() == 534
    assert not fulfilled.filter(fulfilment_photo="").exists()
    assert MicroWish.objects.on_wall().exists()


def test_236_housekeeper_projects_of_three_kinds_with_ratings(seeded):
    projects = HousekeeperProject.objects.all()
    assert projects.count() == 236
    assert set(projects.values_list("kind", flat=True)) == set(ProjectKind.values)
    assert projects.filter(rating=ProjectRating.EXEMPLARY).count() == 5
    assert projects.filter(rating=ProjectRating.EXCELLENT).count() == 10


def test_a_second_run_changes_nothing(seeded):
    counts = (Ticket.objects.count(), MicroWish.objects.count(), ServiceItem.objects.count(), User.objects.count())
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=out)
    assert "services: the demo catalogue already exists" in out.getvalue()
    assert (Ticket.objects.count(), MicroWish.objects.count(), ServiceItem.objects.count(),
            User.objects.count()) == counts  # fmt: skip


# --- History runs forward: checks over every ticket of the seeded demo ----------------------------------------------

TICKET_MOMENTS = ("level_started_at", "accepted_at", "resolved_at", "closed_at", "rated_at")
TICKET_DEADLINES = ("response_due_at", "resolution_due_at", "level_due_at", "warn_at", "rating_token_expires_at")


def events_before_creation() -> list[str]:
    early = TicketEvent.objects.filter(created_at__lt=F("ticket__created_at"))
    return sorted(set(early.values_list("ticket__reference", flat=True)))


def moments_before_creation() -> list[str]:
    early = Q()
    for name in TICKET_MOMENTS:
        early |= Q(**{f"{name}__lt": F("created_at")})
    for name in TICKET_DEADLINES:
        early |= Q(**{f"{name}__lte": F("created_at")})
    return sorted(Ticket.objects.filter(early).values_list("reference", flat=True))


def references_off_their_day() -> list[str]:
    return sorted(
        reference
        for reference, created in Ticket.objects.values_list("reference", "created_at")
        if reference.split("-")[1] != f"{timezone.localdate(created):%Y%m%d}"
    )


def escalations_before_their_deadline() -> list[str]:
    """Replay each ticket's climb: every escalation (and the district flag) after the level deadline it answers."""
    limits = dict(EscalationLimit.objects.values_list("level", "working_hours"))
    climbing = TicketEvent.objects.filter(kind__in=("escalated", "flagged_for_district"))
    wrong = []
    for ticket in Ticket.objects.filter(pk__in=climbing.values("ticket")).order_by("pk"):
        deadline = ticket.resolution_due_at
        for event in ticket.events.filter(kind__in=("escalated", "flagged_for_district")).order_by("created_at"):
            if event.created_at < deadline:
                wrong.append(ticket.reference)
                break
            if event.kind == "escalated":
                deadline = add_working_hours(event.created_at, limits[event.data["to_level"]])
    return wrong


def events_in_the_future() -> list[str]:
    late = TicketEvent.objects.filter(created_at__gt=timezone.now())
    return sorted(set(late.values_list("ticket__reference", flat=True)))


def test_no_ticket_event_happens_before_the_ticket_was_filed(seeded):
    assert events_before_creation() == []
    assert events_in_the_future() == []


def test_every_ticket_deadline_and_milestone_follows_its_filing(seeded):
    assert moments_before_creation() == []


def test_every_reference_carries_the_local_day_the_ticket_was_filed(seeded):
    assert references_off_their_day() == []


def test_every_escalation_follows_a_deadline_that_had_passed(seeded):
    assert TicketEvent.objects.filter(kind="escalated").exists()
    assert escalations_before_their_deadline() == []


def test_the_printed_logins_include_intake_staff_and_name_the_officials_scope(seeded):
    intake = User.objects.get(username="intake")
    assert (intake.role, intake.scope.code) == (Role.STAFF, "NG-HLX")
    lines = {line.split()[0]: line for line in seeded.splitlines() if line.split()}
    assert "热线/窗口受理" in lines["intake"]
    assert "宁国市委领导（只读）" in lines["official"] and "全域" in lines["official"]
    assert "区级" not in lines["official"]
def test_a_few_proxy_errands_on_proxy_items_in_time_order(seeded):
    from services.models import ProxyErrand

    errands = list(ProxyErrand.objects.select_related("ticket__service_item"))
    assert errands and all(errand.ticket.service_item.can_proxy for errand in errands)
    assert any(errand.returned for errand in errands)
    for errand in errands:
        ticket = errand.ticket
        assert ticket.accepted_at <= errand.handed_in_at
        if errand.came_back_at is not None:
            assert errand.handed_in_at <= errand.came_back_at <= (ticket.resolved_at or ticket.closed_at)
        steps = ticket.events.filter(kind="proxy_errand").order_by("created_at")
        assert [event.created_at for event in steps][0] == errand.handed_in_at
