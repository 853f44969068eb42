"""Mediation's live figures (the `live` of mediation.figures.FAMILY, read by core.statistics): cases opened,
agreed, referred and failed this year under a node, shown beside the ticket statistics ("调解案件纳入统计")."""

from __future__ import annotations

from typing import Any

from mediation.models import DisputeCase
from mediation.selectors import mediation_counts


def mediation_family(*, node: Any, fetched_by: Any) -> dict[str, Any]:
    """The counts of the cases `fetched_by` may see under `node` (an Organization or a Grid), this year."""
    return mediation_counts(cases=DisputeCase.objects.visible_to(fetched_by), node=node)
