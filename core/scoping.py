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

from core.registry import Registry

VIEW = "view"
CHANGE = "change"


# Where a role's scope nodes come from when they are not simply the user's organization: a domain app registers
# `scope_providers.register(role, function_of_user)` in its AppConfig.ready() (grids: a grid worker's grids). The
# function returns (kind, node) pairs, or an empty list to fall back to the user's organization scope.
scope_providers = Registry("scope providers")


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


class ScopedPrefetch(models.Prefetch):
    """A Prefetch whose rows are narrowed to what `user` may see, as NetBox's RestrictedPrefetch does.

    A nested serializer shows whatever its prefetch fetched; scoping the prefetch (not the serializer) means a
    reader of the parent never sees a related row they could not open on its own.
    """

    def __init__(self, lookup: str, user, queryset=None, to_attr: str | None = None, action: str = VIEW):
        self.user, self.action = user, action
        super().__init__(lookup, queryset=queryset, to_attr=to_attr)

    def get_current_querysets(self, level):
        querysets = super().get_current_querysets(level)
        if querysets is None:
            return None
        return [restrict(qs, self.user, self.action) for qs in querysets]


def restrict(queryset, user, action: str = VIEW):
    """`queryset.visible_to(user, action)` where the model is scoped, with its prefetches scoped the same way."""
    if hasattr(queryset, "visible_to"):
        queryset = queryset.visible_to(user, action)
    return scope_prefetches(queryset, user)


def scope_prefetches(queryset, user):
    """Rewrite every prefetch of `queryset` into ScopedPrefetch objects for `user`, one per level of each lookup.

    A plain "a__b" lookup becomes a scoped prefetch of "a" and one of "a__b", so no level reads the raw relation;
    related rows are read with "view" (what the reader may open on its own).
    """
    lookups = getattr(queryset, "_prefetch_related_lookups", ())
    if not lookups or all(isinstance(lookup, ScopedPrefetch) for lookup in lookups):
        return queryset
    scoped: dict[str, ScopedPrefetch] = {}
    for lookup in lookups:  # explicit Prefetch objects first: their querysets win over a level's default
        if isinstance(lookup, models.Prefetch):
            inner = scope_prefetches(lookup.queryset, user) if lookup.queryset is not None else None
            scoped[lookup.prefetch_to] = ScopedPrefetch(
                lookup.prefetch_through, user, queryset=inner, to_attr=lookup.to_attr
            )
    for lookup in lookups:
        through = lookup.prefetch_through if isinstance(lookup, models.Prefetch) else lookup
        for prefix, related in _levels(queryset.model, through):
            if prefix not in scoped:
                scoped[prefix] = ScopedPrefetch(prefix, user, queryset=related._default_manager.all())
    ordered = sorted(scoped.values(), key=lambda p: p.prefetch_to.count("__"))
    return queryset.prefetch_related(None).prefetch_related(*ordered)


def _levels(model, lookup: str):
    """(prefix, related model) for each level of a prefetch lookup path."""
    parts = lookup.split("__")
    for depth, part in enumerate(parts, start=1):
        model = getattr(model._meta.get_field(part), "related_model", None)
        if model is None:  # a generic relation: no one model to scope by; its own Prefetch must say how
            return
        yield "__".join(parts[:depth]), model
