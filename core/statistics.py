"""Statistics families: the live, reader-scoped figures that /api/v1/ticket-stats/ shows beside the ticket
statistics (mediation cases this year, say), under `families`.

There is one registry of what an app contributes to the officials' figures: core.figures' `figure_families`. A
family that can also answer live and scoped to the reader names that function in its `live` attribute (a dotted
path to `f(*, node, fetched_by) -> dict`, node an Organization or a Grid, counting only rows the reader may see).
`statistics_families` is a read-only view of those (key → dotted path) with the Registry's reading interface, so
nothing registers twice and the dashboards and the ticket statistics cannot disagree about which families exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.module_loading import import_string

from core.figures import families
from core.registry import Entry


class LiveFamilies:
    """The figure families that offer a live answer, read like a Registry: iterate entries, `get(key)`."""

    name = "statistics families (the live view of core.figures' figure families)"

    def ordered(self) -> list[Entry]:
        return [Entry(family.key, family.live) for family in families() if family.live]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.ordered())

    def get(self, key: Any, default: Any = None) -> Any:
        return next((entry.value for entry in self.ordered() if entry.key == key), default)

    def __contains__(self, key: Any) -> bool:
        return self.get(key) is not None

    def __len__(self) -> int:
        return len(self.ordered())


statistics_families = LiveFamilies()


def family_figures(*, node: Any, fetched_by: Any) -> dict[str, Any]:
    """Each live family's figures for `node` as `fetched_by` may see them, by family key, in registry order."""
    return {entry.key: import_string(entry.value)(node=node, fetched_by=fetched_by) for entry in statistics_families}
