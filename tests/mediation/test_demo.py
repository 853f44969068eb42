"""The demo's dispute cases: plausible outcomes, some from visits and tickets, and every step after the one before."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max, Min
from django.test import override_settings
from django.utils import timezone

from mediation.models import CaseStatus, DisputeCase

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(DEBUG=True, MEDIA_ROOT=media), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_demo_cases_have_every_outcome_and_link_to_visits_and_tickets(seeded):
    cases = DisputeCase.objects.all()
    statuses = set(cases.values_list("status", flat=True))
    assert {CaseStatus.AGREED, CaseStatus.REFERRED, CaseStatus.FAILED} <= statuses
    assert cases.filter(source_visit__isnull=False).exists() and cases.filter(source_ticket__isnull=False).exists()
    assert not cases.filter(status=CaseStatus.AGREED, agreement_text="").exists()
    assert all(case.parties.count() >= 2 for case in cases[:50])


def test_demo_cases_are_told_in_order(seeded):
    now = timezone.now()
    for case in DisputeCase.objects.annotate(first=Min("sessions__held_at"), last=Max("sessions__held_at")):
        assert case.opened_at <= now
        if case.first is not None:
            assert case.opened_at <= case.first <= case.last <= now
        if case.concluded_at is not None:
            assert (case.last or case.opened_at) <= case.concluded_at <= now
        if case.source_ticket_id:
            assert case.source_ticket.created_at <= case.opened_at
        if case.source_visit_id:
            assert case.source_visit.visited_on <= timezone.localdate(case.opened_at)
        if case.follow_up_on:
            assert timezone.localdate(case.concluded_at) <= case.follow_up_on <= timezone.localdate(now)
