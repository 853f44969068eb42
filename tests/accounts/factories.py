import functools

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Role, User

DEFAULT_PASSWORD = "pass-Word-123"


@functools.cache
def _hashed(raw: str) -> str:
    # Hashing is deliberately slow (~0.2 s); one hash per distinct password keeps a 100-user list test fast.
    return make_password(raw)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.STAFF
    scope = None

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.password = _hashed(extracted or DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
