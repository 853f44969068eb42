"""Factories for care tags and residents; other apps' tests import these."""

import datetime

import factory

from residents.models import CareTag, Relation, ResidenceStatus, Resident
from tests.grids.factories import HouseholdFactory
from tests.orgs.factories import make_id_number


class CareTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTag
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"tag-{n}")
    name = factory.Sequence(lambda n: f"关爱标签{n}")
    needs_care_visits = True


class ResidentFactory(factory.django.DjangoModelFactory):
    """A registered resident with a valid ID number whose gender and birth date agree with it."""

    class Meta:
        model = Resident
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"居民{n}")
    birth_date = datetime.date(1980, 5, 17)
    gender = "male"
    id_number = factory.LazyAttribute(lambda o: make_id_number(o.birth_date, male=o.gender == "male"))
    phone = "13912345678"
    household = factory.SubFactory(HouseholdFactory)
    relation = Relation.OTHER
    status = ResidenceStatus.REGISTERED

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(extracted)
