"""Querysets of mediation: scoped like every other row (core.scoping), with the page's and the API's shared reads."""

from django.db.models import Q

from core.scoping import ScopedQuerySet


class DisputeCaseQuerySet(ScopedQuerySet):
    def mine(self, user):
        """Cases the user mediates or opened: a grid worker's "my cases"."""
        return self.filter(Q(mediator=user) | Q(opened_by=user))

    def with_related(self):
        return self.select_related("community", "grid", "mediator", "source_visit", "source_ticket")
