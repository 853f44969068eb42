"""Access scoping: the one place that decides which rows a user may read or change.

Every scoped model's manager derives from `ScopedQuerySet` and the model declares, once, how it reaches a scope
node (`scope_paths`, e.g. {"org": "organization"}). A user's scope is one or more nodes of an mptt tree; the
visible rows are those whose node falls inside one of those subtrees, which is a `tree_id` + `lft` range filter
and so a single indexed condition however deep the tree is. Admin, pages and API all call `visible_to()`; none
of them filters by scope on its own.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

VIEW = "view"
CHANGE = "change"


def subtree_q(path: str, node) -> Q:
    """Rows whose node at `path` lies in `node`'s subtree ("" = the row itself is the node)."""
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}tree_id": node.tree_id, f"{prefix}lft__gte": node.lft, f"{prefix}lft__lte": node.rght})


def ancestors_q(path: str, node) -> Q:
    """Rows whose node at `path` is `node` or one of its ancestors (who answers for `node`, what covers it)."""
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}tree_id": node.tree_id, f"{prefix}lft__lte": node.lft, f"{prefix}rght__gte": node.rght})


def _node_q(path, node) -> Q:
    if callable(path):  # a model whose reach is not one foreign-key path (e.g. a unit shared by communities)
        return path(node)
    if hasattr(node, "tree_id"):
        return subtree_q(path, node)
    return Q(**{path or "pk": node.pk})  # a flat scope node such as a resident unit


def _crosses_many(model: type[models.Model], path: str) -> bool:
    """Whether a lookup path passes through a to-many relation (and so could repeat rows in a join)."""
    for part in path.split("__") if path else []:
        field = model._meta.get_field(part)
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def scope_q(model: type[models.Model], user) -> Q | None:
    """The filter for what `user` may see of `model`, or None when they may see nothing of it.

    `scope_paths` maps a kind of scope node ("org", "grid", "unit") to the lookup path from the model to such a
    node, or to a function of the node returning a Q for the rare model that needs more than one path.
    """
    paths: dict = getattr(model, "scope_paths", {})
    condition = None
    for kind, node in user.scope_nodes():
        if kind not in paths:
            continue
        path = paths[kind]
        node_q = _node_q(path, node)
        if isinstance(path, str) and _crosses_many(model, path):
            # A unit sees a meeting it attends once, not once per attending unit: filter by id, not by join.
            node_q = Q(pk__in=model._base_manager.filter(node_q).values("pk"))
        condition = node_q if condition is None else condition | node_q
    return condition


class ScopedQuerySet(models.QuerySet):
    """Base queryset for every model that belongs somewhere in the organization (or grid) tree."""

    def visible_to(self, user, action: str = VIEW):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        if action != VIEW and not user.can_write:
            return self.none()
        condition = scope_q(self.model, user)
        if condition is None:
            return self.none()
        return self.filter(condition)


class PublicReadQuerySet(ScopedQuerySet):
    """Rows that are public information (the service catalogue, the published lists): every signed-in user reads
    all of them; writes stay inside the writer's scope like everything else."""

    def visible_to(self, user, action: str = VIEW):
        if action == VIEW and user is not None and user.is_authenticated and user.is_active:
            return self.all()
        return super().visible_to(user, action)


def ensure_in_scope(instance: models.Model, user, action: str = CHANGE) -> None:
    """Refuse a write whose result would sit outside the user's scope; call it inside the write's transaction."""
    manager = type(instance)._default_manager
    if not manager.visible_to(user, action).filter(pk=instance.pk).exists():
        raise PermissionDenied(_("该记录不在您的管辖范围内。"))
