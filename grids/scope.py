"""A grid worker's scope: the grids they hold a current worker duty in, and each grid's Party branch.

Registered with core.scoping.scope_providers in GridsConfig.ready(), so accounts (below grids) never imports grids.
"""

from grids.models import WORKER_DUTIES, Grid


def worked_grids(user) -> list[Grid]:
    """The grids where `user` holds a current grid-worker duty (head, full-time or part-time worker)."""
    return list(
        Grid.objects.filter(roles__in=user.grid_roles.current().filter(duty__in=WORKER_DUTIES))
        .select_related("branch")
        .distinct()
    )


def grid_worker_scope_nodes(user) -> list[tuple[str, object]]:
    """A grid worker with current duties reaches their grids (and each grid's Party branch); without any, nothing
    here, and accounts falls back to the organization scope, as before grids existed."""
    grids = worked_grids(user)
    return [("grid", grid) for grid in grids] + [("org", grid.branch) for grid in grids if grid.branch_id]
