"""Factories for co-building: units, reports, agreements, members, meetings, whistles, needs, evaluations.

Other apps' tests import these. Rows made without arguments hang together: a unit registered with a street,
a community under that street, and (for agreements, meetings, whistle calls) the unit reporting to that community,
so community staff can see them.
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Role, User
from cobuilding.models import (
    AgendaItem,
    AgreementStatus,
    CoBuildingAgreement,
    CommitmentItem,
    CommitmentKind,
    CommunityNeed,
    EvaluationRating,
    EvaluationRound,
    JointMeeting,
    MemberReport,
    RaterKind,
    ResidentUnit,
    UnitKind,
    UnitReport,
    Whistle,
    WhistleCall,
)
from orgs.models import MemberKind
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory, PartyMemberFactory


def _this_year() -> int:
    return timezone.localdate().year


def ensure_reported(unit: ResidentUnit, community) -> UnitReport:
    """The unit's active report to `community`, made on first use (community staff see a unit through it)."""
    report = UnitReport.objects.filter(unit=unit, community=community, status="active").first()
    return report or UnitReportFactory(unit=unit, community=community)


class ResidentUnitFactory(factory.django.DjangoModelFactory):
    """A unit registered with a new street, with its own unit-level Party organization under that street."""

    class Meta:
        model = ResidentUnit

    name = factory.Sequence(lambda n: f"驻区单位{n}")
    kind = UnitKind.PUBLIC_INSTITUTION
    registered_with = factory.SubFactory(OrganizationFactory, level=Level.STREET)
    party_organization = factory.SubFactory(
        OrganizationFactory, level=Level.UNIT, parent=factory.SelfAttribute("..registered_with")
    )
    contact_person = "张联系"
    contact_phone = "13912345678"
    address = "宁国市河沥溪街道"
    party_member_count = 12


class UnitReportFactory(factory.django.DjangoModelFactory):
    """A unit's report to a (new) community under the unit's street; pass `community=` to share one."""

    class Meta:
        model = UnitReport

    unit = factory.SubFactory(ResidentUnitFactory)
    community = factory.SubFactory(
        OrganizationFactory, level=Level.COMMUNITY, parent=factory.SelfAttribute("..unit.registered_with")
    )
    reported_on = datetime.date(2024, 3, 1)
    liaison_name = factory.Sequence(lambda n: f"联络员{n}")
    liaison_phone = "13812345678"


class AgreementFactory(factory.django.DjangoModelFactory):
    """An active, signed agreement covering the current year; the unit reports to the community (made if needed)."""

    class Meta:
        model = CoBuildingAgreement
        skip_postgeneration_save = True

    unit = factory.SubFactory(ResidentUnitFactory)
    community = factory.SubFactory(
        OrganizationFactory, level=Level.COMMUNITY, parent=factory.SelfAttribute("..unit.registered_with")
    )
    title = factory.Sequence(lambda n: f"共驻共建协议{n}")
    starts_on = factory.LazyFunction(lambda: datetime.date(_this_year(), 1, 1))
    ends_on = factory.LazyFunction(lambda: datetime.date(_this_year(), 12, 31))
    signed_on = factory.LazyFunction(lambda: datetime.date(_this_year(), 1, 1))
    status = AgreementStatus.ACTIVE

    @factory.post_generation
    def reported(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            ensure_reported(obj.unit, obj.community)


class CommitmentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitmentItem

    agreement = factory.SubFactory(AgreementFactory)
    title = factory.Sequence(lambda n: f"承诺事项{n}")
    kind = CommitmentKind.VOLUNTEER_SERVICE
    target = Decimal("4")
    measure = "count"
    due_on = factory.LazyFunction(lambda: datetime.date(_this_year(), 11, 30))


class MemberReportFactory(factory.django.DjangoModelFactory):
    """An in-service member reporting to a community; pass `member__organization=unit.party_organization`."""

    class Meta:
        model = MemberReport

    member = factory.SubFactory(PartyMemberFactory, kind=MemberKind.IN_SERVICE)
    community = factory.SubFactory(OrganizationFactory, level=Level.COMMUNITY)
    reported_on = datetime.date(2024, 3, 1)
    service_post = "文明劝导岗"


class JointMeetingFactory(factory.django.DjangoModelFactory):
    """A joint meeting; `attending_units=[...]` adds attendees (each made to report to the community)."""

    class Meta:
        model = JointMeeting
        skip_postgeneration_save = True

    community = factory.SubFactory(OrganizationFactory, level=Level.COMMUNITY)
    held_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    place = "社区党群服务中心"
    minutes = "会议纪要"

    @factory.post_generation
    def attending_units(obj, create, extracted, **kwargs):
        if create and extracted:
            for unit in extracted:
                ensure_reported(unit, obj.community)
            obj.attending_units.add(*extracted)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(JointMeetingFactory)
    title = factory.Sequence(lambda n: f"议题{n}")
    description = "小区停车难"


class WhistleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Whistle

    community = factory.SubFactory(OrganizationFactory, level=Level.COMMUNITY)
    title = factory.Sequence(lambda n: f"吹哨事项{n}")
    description = "老旧小区雨污管网堵塞"
    blown_at = factory.LazyFunction(timezone.now)


class WhistleCallFactory(factory.django.DjangoModelFactory):
    """A pending call: acknowledge within a day, respond within three days of now."""

    class Meta:
        model = WhistleCall

    whistle = factory.SubFactory(WhistleFactory)
    unit = factory.SubFactory(ResidentUnitFactory)
    acknowledge_by = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    respond_by = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))


class CommunityNeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityNeed

    community = factory.SubFactory(OrganizationFactory, level=Level.COMMUNITY)
    title = factory.Sequence(lambda n: f"社区需求{n}")
    kind = CommitmentKind.HEALTH
    description = "为老年人开展义诊"


class EvaluationRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationRound

    organization = factory.SubFactory(OrganizationFactory, level=Level.COMMUNITY)
    year = factory.LazyFunction(_this_year)
    opens_on = factory.LazyFunction(lambda: datetime.date(_this_year(), 1, 1))
    closes_on = factory.LazyFunction(lambda: datetime.date(_this_year(), 12, 31))


class EvaluationRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationRating

    round = factory.SubFactory(EvaluationRoundFactory)
    unit = factory.SubFactory(ResidentUnitFactory)
    rater_kind = RaterKind.RESIDENT
    score = 4
    comment = "积极参与社区共建"


def liaison_for(unit: ResidentUnit, **user_fields) -> User:
    """A unit_liaison login whose scope is `unit`."""
    return UserFactory(role=Role.UNIT_LIAISON, unit=unit, scope=None, **user_fields)
