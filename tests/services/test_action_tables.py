"""The ticket and wish tables are the only description of their actions: pages, API and admin offer exactly them."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from services.admin import MicroWishAdmin, TicketAdmin
from services.api import community_serializers as cs
from services.api.community_views import MicroWishViewSet
from services.api.serializers import TicketActionSerializer
from services.api.views import TicketViewSet
from services.community.actions import WISHES
from services.models import MicroWish, Ticket, TicketStatus
from services.tickets.actions import TICKETS
from services.tickets.services import ticket_transition
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.services.action_tables import (
    admin_actions,
    assert_api_offers_exactly_the_table,
    assert_input_matches_the_row,
)
from tests.services.factories import TicketFactory

WISH_INPUTS = {"claim": cs.WishClaimSerializer, "fulfil": cs.WishFulfilSerializer}


def test_ticket_api_has_one_method_per_row_and_no_other():
    assert_api_offers_exactly_the_table(TICKETS, TicketViewSet)


def test_wish_api_has_one_method_per_row_and_no_other():
    assert_api_offers_exactly_the_table(WISHES, MicroWishViewSet)


@pytest.mark.django_db
@pytest.mark.parametrize("name", TICKETS.names())
def test_ticket_page_form_and_api_input_carry_the_rows_fields(name):
    row = TICKETS[name]
    ticket = TicketFactory()
    form = row.form(ticket=ticket, user=UserFactory(role=Role.STAFF, scope=ticket.community))
    assert_input_matches_the_row(row, form.fields)
    # The API's one input serializer leaves every field optional; the service checks the row's reason for it.
    assert_input_matches_the_row(row, TicketActionSerializer().fields, reason_enforced_by_service=True)
    if row.needs_reason:
        with pytest.raises(ValidationError):
            TICKETS.check_reason(name, {"note": "  "})


@pytest.mark.parametrize("name", WISHES.names())
def test_wish_api_input_carries_the_rows_fields(name):
    row = WISHES[name]
    fields = WISH_INPUTS[name]().fields if name in WISH_INPUTS else {}
    assert_input_matches_the_row(row, fields)


@pytest.mark.django_db
def test_ticket_admin_offers_exactly_the_rows_with_an_admin_label_and_they_need_no_input():
    labelled = [row for row in TICKETS.user_actions() if row.admin_label]
    assert admin_actions(TicketAdmin, Ticket, UserFactory(is_superuser=True, is_staff=True)) == {
        f"{row.name}_tickets" for row in labelled
    }
    assert all(not row.needs_reason and not row.params for row in labelled)


@pytest.mark.django_db
def test_wish_admin_offers_no_move_and_keeps_the_status_read_only():
    assert not any(row.admin_label for row in WISHES)
    offered = admin_actions(MicroWishAdmin, MicroWish, UserFactory(is_superuser=True, is_staff=True))
    assert not offered & set(WISHES.names()) and "status" in MicroWishAdmin.readonly_fields


@pytest.mark.django_db
def test_resolving_through_the_api_needs_a_note_as_the_page_does():
    ticket = TicketFactory()
    staff = UserFactory(role=Role.STAFF, scope=ticket.community)
    for action in ("accept", "start"):
        ticket = ticket_transition(ticket=ticket, action=action, by=staff)
    response = client_for(staff).post(f"/api/v1/tickets/{ticket.pk}/resolve/", {"note": " "}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {"note": ["请填写办理结果。"]}
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
