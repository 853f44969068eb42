from mptt.querysets import TreeQuerySet

from core.scoping import ScopedQuerySet


class OrganizationQuerySet(ScopedQuerySet, TreeQuerySet):
    pass


class PartyMemberQuerySet(ScopedQuerySet):
    def with_related(self):
        return self.select_related("organization")


class OrgPositionQuerySet(ScopedQuerySet):
    def with_related(self):
        return self.select_related("member", "organization")
