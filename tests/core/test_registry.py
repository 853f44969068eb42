"""core.registry: what domain apps register for a base app, in an order every run agrees on."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.demo import demo_builders
from core.pii import pii_view_loggers
from core.registry import Registry
from core.scoping import scope_providers


def test_entries_come_after_what_they_name_and_otherwise_in_registration_order():
    registry = Registry("test")
    registry.register("visits", "v", after=["people"])
    registry.register("tree", "t")
    registry.register("people", "p", after=["tree"])
    registry.register("extra", "x")
    assert [entry.key for entry in registry.ordered()] == ["tree", "people", "visits", "extra"]


def test_a_missing_or_circular_after_is_a_configuration_error():
    registry = Registry("test")
    registry.register("a", 1, after=["b"])
    with pytest.raises(ImproperlyConfigured):
        registry.ordered()
    registry.register("b", 2, after=["a"])
    with pytest.raises(ImproperlyConfigured):
        registry.ordered()


def test_registering_a_key_again_with_another_value_is_refused():
    registry = Registry("test")
    registry.register("a", 1)
    registry.register("a", 1)  # a second ready() is harmless
    with pytest.raises(ImproperlyConfigured):
        registry.register("a", 2)


def test_installed_apps_register_the_demo_builders_in_dependency_order():
    assert [(entry.key, entry.value) for entry in demo_builders.ordered()] == [
        ("orgs.demo.build", "orgs.demo.build"),
        ("accounts.demo.build", "accounts.demo.build"),
        ("grids.demo.build", "grids.demo.build"),
        ("residents.demo.build", "residents.demo.build"),
        ("grids.demo.build_visits", "residents.demo.build_visits"),
        ("cobuilding.demo.build", "cobuilding.demo.build"),
        ("services.demo.build", "services.demo.build"),
        ("mediation.demo.build", "mediation.demo.build"),
        ("dashboards.demo.build", "dashboards.demo.build"),
    ]


def test_grids_provides_the_grid_worker_scope_and_accounts_logs_pii_views():
    assert "grid_worker" in scope_providers
    assert len(pii_view_loggers) == 1


def test_a_pii_reveal_with_no_logger_registered_is_refused_not_left_unlogged(monkeypatch):
    from accounts.models import User
    from core.pii import reveal_pii

    monkeypatch.setattr(pii_view_loggers, "_entries", {})
    viewer = User(username="auditor", is_superuser=True, is_active=True)
    with pytest.raises(ImproperlyConfigured):
        reveal_pii(instance=viewer, organization=None, by=viewer, ip_address=None)
