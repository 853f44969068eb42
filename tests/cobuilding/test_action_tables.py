"""Co-building's tables are the only description of their actions: pages, API and admin offer exactly them."""

import pytest

from cobuilding.actions import AGENDA_ITEMS, AGREEMENTS, MACHINES, WHISTLE_CALLS
from cobuilding.admin import AgendaItemAdmin, CoBuildingAgreementAdmin, WhistleCallInline
from cobuilding.api import serializers as s
from cobuilding.api.views import AgendaItemViewSet, AgreementViewSet, WhistleCallViewSet
from tests.services.action_tables import assert_api_offers_exactly_the_table, assert_input_matches_the_row

API_INPUTS = {
    (AGREEMENTS, "activate"): s.AgreementActivateSerializer,
    (AGREEMENTS, "terminate"): s.AgreementTerminateSerializer,
    (AGENDA_ITEMS, "claim"): s.ItemClaimSerializer,
    (AGENDA_ITEMS, "progress"): s.ItemProgressNoteSerializer,
    (WHISTLE_CALLS, "respond"): s.CallRespondSerializer,
}


@pytest.mark.parametrize(
    "machine,viewset",
    [(AGREEMENTS, AgreementViewSet), (AGENDA_ITEMS, AgendaItemViewSet), (WHISTLE_CALLS, WhistleCallViewSet)],
    ids=["agreement", "agenda_item", "whistle_call"],
)
def test_api_has_one_method_per_row_a_person_takes_and_no_other(machine, viewset):
    assert_api_offers_exactly_the_table(machine, viewset)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "machine,name", [(m, row.name) for m in MACHINES for row in m.user_actions()], ids=lambda v: getattr(v, "name", v)
)
def test_page_form_and_api_input_carry_the_rows_fields(machine, name, django_user_model):
    row = machine[name]
    serializer = API_INPUTS.get((machine, name))
    assert_input_matches_the_row(row, serializer().fields if serializer else {})
    if row.form is not None:
        form = row.form(user=django_user_model(role="staff")) if name == "claim" else row.form()
        assert_input_matches_the_row(row, form.fields)


def test_the_admin_offers_no_move_and_shows_every_status_read_only():
    assert not any(row.admin_label for machine in MACHINES for row in machine)
    for admin_class in (CoBuildingAgreementAdmin, AgendaItemAdmin, WhistleCallInline):
        assert "status" in admin_class.readonly_fields


def test_system_rows_are_never_offered_to_a_person():
    for machine in MACHINES:
        system = {row.name for row in machine if row.by_system}
        assert not system & {a for state in machine.states.values for a in machine.allowed(state)}
