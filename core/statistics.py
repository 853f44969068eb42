"""Statistics families: figure sets that domain apps publish for a node of the tree, collected without importing them.

The ticket statistics (/api/v1/ticket-stats/) show, beside the tickets' own figures, every family registered here
(mediation cases, say); the dashboards of issue 12 read the same registry. An app registers its family in its
`AppConfig.ready()` as `statistics_families.register("<name>", "<app>.stats.<function>")`, the function taking
`(*, node, fetched_by)` — an Organization (or a Grid) and the reader — and returning a JSON-ready dict whose counts
cover only rows the reader may see. The import points from the domain app down to core, never up.
"""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string

from core.registry import Registry

statistics_families = Registry("statistics families")


def family_figures(*, node: Any, fetched_by: Any) -> dict[str, Any]:
    """Each registered family's figures for `node` as `fetched_by` may see them, by family name, in registry order."""
    return {entry.key: import_string(entry.value)(node=node, fetched_by=fetched_by) for entry in statistics_families}
