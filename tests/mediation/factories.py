"""Factories for mediation: a case with two parties, made through the opening service like a real one."""

import datetime

import factory
from django.utils import timezone

from accounts.models import Role
from mediation.models import DisputeCase, DisputeKind, DisputeParty, MediationSession
from mediation.services import PartyDetails, case_open
from tests.accounts.factories import UserFactory
from tests.grids.factories import GridFactory


def two_parties() -> list[PartyDetails]:
    return [PartyDetails(name="张大爷", phone="13911112222"), PartyDetails(name="李阿姨", phone="13833334444")]


class DisputeCaseFactory(factory.django.DjangoModelFactory):
    """An open case in a grid, opened by a superuser (pass `by=`) with two named parties (pass `parties=`)."""

    class Meta:
        model = DisputeCase

    grid = factory.SubFactory(GridFactory)
    community = factory.LazyAttribute(lambda o: o.grid.community)
    kind = DisputeKind.NEIGHBOUR
    summary = factory.Sequence(lambda n: f"楼上漏水纠纷{n}")
    mediator = factory.SubFactory(UserFactory, is_superuser=True, role=Role.STAFF)
    opened_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3))

    @classmethod
    def _create(cls, model_class, *args, by=None, parties=None, **kwargs):
        by = by or kwargs["mediator"]
        return case_open(case=model_class(**kwargs), parties=parties or two_parties(), by=by)


class DisputePartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisputeParty

    case = factory.SubFactory(DisputeCaseFactory)
    name = factory.Sequence(lambda n: f"当事人{n}")
    phone = "13700001111"


class MediationSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediationSession

    case = factory.SubFactory(DisputeCaseFactory)
    held_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    place = "社区调解室"
    notes = "双方陈述意见"
