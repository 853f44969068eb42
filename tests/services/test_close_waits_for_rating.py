import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from services.models import TicketStatus
from services.tickets.services import ticket_transition
from tests.accounts.factories import UserFactory
from tests.services.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _resolved_ticket(*, link_expires_in: datetime.timedelta):
    ticket = TicketFactory()
    staff = UserFactory(role="staff", scope=ticket.community)
    ticket.status = TicketStatus.RESOLVED
    ticket.rating_token_expires_at = timezone.now() + link_expires_in
    ticket.save()
    return ticket, staff


def test_staff_cannot_close_a_resolved_ticket_while_the_resident_may_still_rate_it():
    ticket, staff = _resolved_ticket(link_expires_in=datetime.timedelta(days=3))
    with pytest.raises(ValidationError) as excinfo:
        ticket_transition(ticket=ticket, action="close", by=staff)
    assert excinfo.value.code == "illegal_transition"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED


def test_staff_can_close_once_the_rating_link_has_lapsed():
    ticket, staff = _resolved_ticket(link_expires_in=-datetime.timedelta(hours=1))
    ticket = ticket_transition(ticket=ticket, action="close", by=staff)
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.events.filter(kind="close").count() == 1


def test_the_ticket_page_and_the_api_offer_no_close_while_the_resident_may_rate(client):
    ticket, staff = _resolved_ticket(link_expires_in=datetime.timedelta(days=3))
    client.force_login(staff)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f"/tickets/{ticket.pk}/close/" not in page
    assert f"/tickets/{ticket.pk}/reopen/" in page
    api = client.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert "close" not in api["allowed_actions"]
