import datetime
import itertools

import factory
from stdnum.cn import ric

from orgs.models import Organization, OrgPosition, PartyMember
from orgs.rules import Level

_serial = itertools.count(1)


def make_id_number(birth_date: datetime.date = datetime.date(1980, 5, 17), male: bool = True) -> str:
    """A valid 18-digit ID number: Ningguo's area code as it stood in the birth year, and the real checksum."""
    area = "342524" if birth_date.year < 1997 else ("342502" if birth_date.year < 2000 else "341881")
    order = next(_serial) % 500 * 2 + (1 if male else 0)
    body = f"{area}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"组织{n}")
    code = factory.Sequence(lambda n: f"ORG-{n:05d}")
    level = Level.STREET
    parent = None


class PartyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyMember

    name = factory.Sequence(lambda n: f"党员{n}")
    id_number = factory.LazyFunction(make_id_number)
    gender = "male"
    birth_date = datetime.date(1980, 5, 17)
    phone = "13912345678"
    joined_on = datetime.date(2005, 7, 1)
    organization = factory.SubFactory(OrganizationFactory)


class OrgPositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgPosition

    member = factory.SubFactory(PartyMemberFactory)
    organization = factory.SelfAttribute("member.organization")
    title = "secretary"
    started_on = datetime.date(2021, 1, 1)
