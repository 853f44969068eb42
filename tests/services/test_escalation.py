"""The SLA sweep with a frozen clock: yellow card, escalation once per deadline, up the tree, the district flag."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.models import Role
from notifications.models import Notification
from orgs.rules import Level
from services.models import Card, EscalationLimit, HandlingLevel, Ticket, TicketEvent, TicketStatus
from services.tickets.calendar import add_working_hours
from services.tickets.escalation import escalate_overdue_tickets
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory
from tests.services.factories import TicketFactory

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
# A Tuesday morning in office hours, far from any holiday.
NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=TZ)


@pytest.fixture
def tree():
    district = OrganizationFactory(level=Level.DISTRICT)
    street = OrganizationFactory(level=Level.STREET, parent=district)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    return district, street, community


def _ticket(community, *, level=HandlingLevel.COMMUNITY, due, warn=None, org=None, **fields) -> Ticket:
    ticket = TicketFactory(community=community)
    Ticket.objects.filter(pk=ticket.pk).update(
        handling_level=level, handling_org=org or community, level_due_at=due, warn_at=warn or due, card="", **fields
    )
    ticket.refresh_from_db()
    return ticket


def _sweep(at):
    return escalate_overdue_tickets(now=at)


def test_ticket_before_its_warning_time_is_left_alone(tree):
    ticket = _ticket(tree[2], due=NOW + datetime.timedelta(hours=5), warn=NOW + datetime.timedelta(hours=1))
    result = _sweep(NOW)
    ticket.refresh_from_db()
    assert (result.yellow, result.escalated, ticket.card) == (0, 0, "")
    assert not ticket.events.filter(kind__in=["yellow_card", "escalated"]).exists()


def test_ticket_near_its_deadline_gets_one_yellow_card(tree):
    ticket = _ticket(tree[2], due=NOW + datetime.timedelta(hours=1), warn=NOW - datetime.timedelta(minutes=5))
    assert _sweep(NOW).yellow == 1
    assert _sweep(NOW + datetime.timedelta(minutes=5)).yellow == 0
    ticket.refresh_from_db()
    assert ticket.card == Card.YELLOW
    assert ticket.handling_level == HandlingLevel.COMMUNITY
    assert ticket.events.filter(kind="yellow_card").count() == 1


def test_overdue_grid_ticket_is_escalated_to_its_community_exactly_once(tree):
    district, street, community = tree
    ticket = _ticket(community, level=HandlingLevel.GRID, due=NOW - datetime.timedelta(minutes=1))
    first = _sweep(NOW)
    second = _sweep(NOW + datetime.timedelta(minutes=5))
    ticket.refresh_from_db()
    assert (first.escalated, second.escalated) == (1, 0)
    assert ticket.handling_level == HandlingLevel.COMMUNITY
    assert ticket.handling_org == community
    assert ticket.escalation_count == 1
    assert ticket.card == Card.RED
    assert ticket.level_started_at == NOW
    events = list(ticket.events.filter(kind="escalated"))
    assert len(events) == 1
    assert events[0].data["from_level"] == "grid" and events[0].data["to_level"] == "community"
    assert events[0].data["to_org"] == community.pk


def test_escalated_ticket_gets_the_new_levels_working_hour_deadline(tree):
    ticket = _ticket(tree[2], due=NOW - datetime.timedelta(minutes=1))
    _sweep(NOW)
    ticket.refresh_from_db()
    due = add_working_hours(NOW, 24)  # the street's default limit (data migration)
    assert ticket.level_due_at == due
    assert ticket.warn_at == NOW + (due - NOW) * 75 / 100
    assert NOW < ticket.warn_at < ticket.level_due_at


def test_ticket_climbs_community_then_street_then_district_then_is_flagged(tree):
    district, street, community = tree
    ticket = _ticket(community, due=NOW - datetime.timedelta(minutes=1))
    _sweep(NOW)
    ticket.refresh_from_db()
    assert (ticket.handling_level, ticket.handling_org) == (HandlingLevel.STREET, street)
    later = ticket.level_due_at + datetime.timedelta(minutes=1)
    _sweep(later)
    ticket.refresh_from_db()
    assert (ticket.handling_level, ticket.handling_org, ticket.escalation_count) == ("district", district, 2)
    assert not ticket.flagged_for_district
    top = ticket.level_due_at + datetime.timedelta(minutes=1)
    assert _sweep(top).flagged == 1
    assert _sweep(top + datetime.timedelta(hours=1)).flagged == 0
    ticket.refresh_from_db()
    assert ticket.flagged_for_district and ticket.escalation_count == 2
    assert ticket.events.filter(kind="flagged_for_district").count() == 1


def test_community_without_a_district_above_is_flagged_at_the_street(db):
    street = OrganizationFactory(level=Level.STREET)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    ticket = _ticket(community, level=HandlingLevel.STREET, org=street, due=NOW - datetime.timedelta(minutes=1))
    result = _sweep(NOW)
    ticket.refresh_from_db()
    assert (result.escalated, result.flagged) == (0, 1)
    assert ticket.flagged_for_district and ticket.handling_org == street


def test_community_without_a_street_skips_to_the_district(db):
    # The rule table puts communities only under streets, so a community root stands for "no street above": it
    # is flagged; a community under a street under no district climbs once and then is flagged (above).
    community = OrganizationFactory(level=Level.COMMUNITY)
    ticket = _ticket(community, due=NOW - datetime.timedelta(minutes=1))
    assert _sweep(NOW).flagged == 1
    ticket.refresh_from_db()
    assert ticket.handling_level == HandlingLevel.COMMUNITY and ticket.escalation_count == 0


def test_closed_and_resolved_tickets_are_not_escalated(tree):
    closed = _ticket(tree[2], due=NOW - datetime.timedelta(hours=1), status=TicketStatus.CLOSED)
    resolved = _ticket(tree[2], due=NOW - datetime.timedelta(hours=1), status=TicketStatus.RESOLVED)
    assert _sweep(NOW).escalated == 0
    for ticket in (closed, resolved):
        ticket.refresh_from_db()
        assert ticket.escalation_count == 0


def test_street_staff_are_notified_once_per_escalation(tree):
    district, street, community = tree
    street_staff = UserFactory(role=Role.STAFF, scope=street)
    community_staff = UserFactory(role=Role.STAFF, scope=community)
    ticket = _ticket(community, due=NOW - datetime.timedelta(minutes=1))
    _sweep(NOW)
    _sweep(NOW + datetime.timedelta(minutes=5))
    notes = Notification.objects.filter(kind="ticket_escalated")
    assert list(notes.values_list("recipient", "dedup_key")) == [(street_staff.pk, f"ticket-escalated:{ticket.pk}:1")]
    assert not notes.filter(recipient=community_staff).exists()
    assert ticket.reference in notes.get().title


def test_sweep_runs_a_fixed_number_of_queries_whatever_the_backlog(tree, django_assert_max_num_queries):
    district, street, community = tree
    UserFactory(role=Role.STAFF, scope=street)
    for _ in range(3):
        _ticket(community, due=NOW - datetime.timedelta(minutes=1))
    with django_assert_max_num_queries(20) as small:
        assert _sweep(NOW).escalated == 3
    for _ in range(12):
        _ticket(community, due=NOW)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert _sweep(NOW + datetime.timedelta(minutes=1)).escalated == 12


def test_ticket_filed_before_national_day_is_due_after_the_holiday(tree):
    community = tree[2]
    eve = datetime.datetime(2026, 9, 30, 16, 0, tzinfo=TZ)  # the last afternoon before the Oct 1-7 holiday
    ticket = _ticket(community, level=HandlingLevel.GRID, due=eve - datetime.timedelta(minutes=1))
    _sweep(eve)
    ticket.refresh_from_db()
    # 16 working hours at the community: 1.5 on Sep 30, 7 on Oct 8, 7 on Oct 9, then Saturday Oct 10, a make-up day.
    assert timezone.localtime(ticket.level_due_at, TZ) == datetime.datetime(2026, 10, 10, 9, 30, tzinfo=TZ)
    assert _sweep(datetime.datetime(2026, 10, 7, 17, 0, tzinfo=TZ)).escalated == 0


def test_make_up_saturday_counts_toward_the_level_deadline(tree):
    EscalationLimit.objects.filter(level=HandlingLevel.COMMUNITY).update(working_hours=4)
    friday = datetime.datetime(2026, 2, 13, 17, 0, tzinfo=TZ)
    ticket = _ticket(tree[2], level=HandlingLevel.GRID, due=friday - datetime.timedelta(minutes=1))
    _sweep(friday)
    ticket.refresh_from_db()
    # 0.5 h on Friday, then Saturday 2026-02-14 (调休, a make-up workday before Spring Festival): 3 h in the morning
    # and 0.5 h after lunch.
    assert timezone.localtime(ticket.level_due_at, TZ) == datetime.datetime(2026, 2, 14, 14, 0, tzinfo=TZ)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_ticket_once(tree):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE SKIP LOCKED) need PostgreSQL; SQLite serialises writers anyway")
    district, street, community = tree
    UserFactory(role=Role.STAFF, scope=street)
    tickets = [_ticket(community, due=NOW - datetime.timedelta(minutes=1)) for _ in range(40)]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(escalate_overdue_tickets(now=NOW))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(r.escalated for r in results) == 40
    pks = [t.pk for t in tickets]
    assert set(Ticket.objects.filter(pk__in=pks).values_list("escalation_count", flat=True)) == {1}
    assert Notification.objects.filter(kind="ticket_escalated").count() == 40
    assert TicketEvent.objects.filter(ticket__in=pks, kind="escalated").count() == 40


def test_beat_task_runs_the_sweep_and_is_scheduled_every_few_minutes(tree, settings):
    from services.tasks import escalate_overdue_tickets_task

    ticket = _ticket(tree[2], due=timezone.now() - datetime.timedelta(minutes=1))
    assert escalate_overdue_tickets_task.apply().get() == {"yellow": 0, "escalated": 1, "flagged": 0, "notified": 0}
    ticket.refresh_from_db()
    assert ticket.escalation_count == 1
    entry = settings.CELERY_BEAT_SCHEDULE["services-escalate-overdue-tickets"]
    assert entry["task"] == "services.tasks.escalate_overdue_tickets_task"
    assert escalate_overdue_tickets_task.autoretry_for  # a failed sweep is retried


def test_daily_task_closes_tickets_whose_rating_link_lapsed(tree, settings):
    from services.tasks import close_unrated_tickets_task

    lapsed = _ticket(
        tree[2], due=NOW, status=TicketStatus.RESOLVED, rating_token_expires_at=timezone.now() - datetime.timedelta(1)
    )
    assert close_unrated_tickets_task.apply().get() == 1
    lapsed.refresh_from_db()
    assert (lapsed.status, lapsed.closed_unrated) == (TicketStatus.CLOSED, True)
    assert "services-close-unrated-tickets" in settings.CELERY_BEAT_SCHEDULE
