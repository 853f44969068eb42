"""Querysets of mediation: scoped like every other row (core.scoping), with the page's and the API's shared reads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db.models import Q

from core.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from accounts.models import User


class DisputeCaseQuerySet(ScopedQuerySet):
    def mine(self, user: User) -> Self:
        """Cases the user mediates or opened: a grid worker's "my cases"."""
        return self.filter(Q(mediator=user) | Q(opened_by=user))

    def with_related(self) -> Self:
        return self.select_related("community", "grid", "mediator", "source_visit", "source_ticket")
