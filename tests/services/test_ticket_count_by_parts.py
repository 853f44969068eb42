"""Ticket lists count `in my scope OR assigned to me` by parts (core/counting.py): the same number, one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.models import Ticket, TicketStatus
from tests.accounts.factories import UserFactory
from tests.services.factories import TicketFactory, new_community

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_with_tickets():
    mine, other = new_community(), new_community()
    staff = UserFactory(role="staff", scope=mine)
    TicketFactory.create_batch(3, community=mine)
    Ticket.objects.filter(pk=TicketFactory(community=mine).pk).update(assignee_user=staff)  # in scope and assigned
    Ticket.objects.filter(pk=TicketFactory(community=other).pk).update(assignee_user=staff)  # assigned only
    Ticket.objects.filter(pk=TicketFactory(community=other).pk).update(status=TicketStatus.CLOSED)  # neither
    return staff


def test_the_count_of_visible_tickets_is_the_number_of_rows_in_one_query(staff_with_tickets):
    visible = Ticket.objects.visible_to(staff_with_tickets)
    for queryset in (visible, visible.open(), visible.filter(status=TicketStatus.CLOSED), visible.with_related()):
        with CaptureQueriesContext(connection) as queries:
            counted = queryset.count()
        assert counted == len(list(queryset.values_list("pk", flat=True)))
        assert len(queries) == 1
    assert visible.count() == 5


def test_a_ticket_assigned_outside_scope_is_listed_with_its_related_rows(staff_with_tickets):
    # The assignee condition must not leave a join behind that select_related would reuse as an INNER JOIN.
    listed = list(Ticket.objects.visible_to(staff_with_tickets).with_related())
    assert len(listed) == 5
    assert sum(ticket.assignee_user_id == staff_with_tickets.pk for ticket in listed) == 2


def test_a_sliced_or_distinct_list_counts_as_usual(staff_with_tickets):
    visible = Ticket.objects.visible_to(staff_with_tickets)
    assert visible[:2].count() == 2
    assert visible.distinct().count() == 5
    assert visible.values("status").distinct().count() == len({row["status"] for row in visible.values("status")})
