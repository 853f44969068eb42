"""Checks shared by the action-table tests: a machine's rows against the API, a page form and the admin.

Every state machine is one table (core.statemachine); these checks make a page, an API method or an admin action
that re-describes an action differently from its row fail a test.
"""

from django.contrib import admin as django_admin
from django.test import RequestFactory

from core.statemachine import Action, Machine


def api_action_methods(viewset) -> dict[str, str]:
    """url_path -> method name of every `action_<name>` extra action of the viewset."""
    return {getattr(viewset, name).url_path: name for name in dir(viewset) if name.startswith("action_")}


def assert_api_offers_exactly_the_table(machine: Machine, viewset) -> None:
    methods = api_action_methods(viewset)
    assert set(methods) == {row.name for row in machine.user_actions()}, "a row without a method or the reverse"
    for path, name in methods.items():
        method = getattr(viewset, name)
        assert name == f"action_{path}" and method.detail is True and set(method.mapping) == {"post"}


def assert_input_matches_the_row(row: Action, fields: dict, *, reason_enforced_by_service: bool = False) -> None:
    """A page form's or API serializer's fields carry the row's parameters and, required, its reason."""
    assert set(row.params) <= set(fields), f"{row.name}: parameters {row.params} not all offered"
    if row.needs_reason:
        assert row.reason_field in fields, f"{row.name}: no {row.reason_field} field"
        assert fields[row.reason_field].required or reason_enforced_by_service, f"{row.name}: reason optional"
    elif row.reason_field in fields:
        assert not fields[row.reason_field].required, f"{row.name}: the page asks a reason the table does not need"


def admin_actions(model_admin_class, model, user) -> set[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return set(model_admin_class(model, django_admin.site).get_actions(request))
