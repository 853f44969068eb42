from mptt.querysets import TreeQuerySet

from core.scoping import ScopedQuerySet


# The ignore: mypy's Django plugin gives each QuerySet base its own as_manager() type, and the two disagree.
class OrganizationQuerySet(ScopedQuerySet, TreeQuerySet):  # type: ignore[override]
    pass


class PartyMemberQuerySet(ScopedQuerySet):
    def with_related(self):
        return self.select_related("organization")


class OrgPositionQuerySet(ScopedQuerySet):
    def with_related(self):
        return self.select_related("member", "organization")
