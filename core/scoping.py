"""Access scoping: the one place that decides which rows a user may read or change.

Every scoped model's manager derives from `ScopedQuerySet` and the model declares, once, how it reaches a scope
node (`scope_paths`, e.g. {"org": "organization"}). A user's scope is one or more nodes of an mptt tree; the
visible rows are those whose node falls inside one of those subtrees. A row holding its node's foreign key is
filtered by that key against the subtree's ids (`community_id = ANY(ARRAY(SELECT id ...))`, the ids read once
per query): an indexed condition on the row's own table with no join, which stays cheap when ORed with another
(a ticket's assignee). A tree's own rows, and rows whose node is several joins away, use the
`tree_id` + `lft` range on the node, one indexed condition however deep the tree. Admin, pages and API all call
`visible_to()`; none of them filters by scope on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeAlias, TypeGuard, TypeVar, cast, runtime_checkable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F, Q, lookups
from django.utils.translation import gettext_lazy as _

from core.counting import count_by_parts
from core.registry import Registry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

_M = TypeVar("_M", bound=models.Model)
_QS = TypeVar("_QS", bound=models.QuerySet[Any])

VIEW = "view"
CHANGE = "change"


# Where a role's scope nodes come from when they are not simply the user's organization: a domain app registers
# `scope_providers.register(role, function_of_user)` in its AppConfig.ready() (grids: a grid worker's grids). The
# function returns (kind, node) pairs, or an empty list to fall back to the user's organization scope.
scope_providers = Registry("scope providers")


@runtime_checkable
class TreeNode(Protocol):
    """A node of an mptt tree (an Organization, a Grid): the columns a subtree filter reads."""

    tree_id: int
    lft: int
    rght: int


class ScopedUser(Protocol):
    """What scoping reads of a user. accounts.models.User is one; core may not import accounts (the layers test)."""

    @property
    def is_authenticated(self) -> bool: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def is_superuser(self) -> bool: ...
    @property
    def can_write(self) -> bool: ...
    def scope_nodes(self) -> list[tuple[str, object]]: ...


# Who may be asked about: a user, the anonymous visitor, or nobody (a task or a script); the last two see nothing.
Reader: TypeAlias = "ScopedUser | AnonymousUser | None"
# How a model reaches a kind of scope node: a lookup path, or a function of the node for a model needing several.
ScopePath: TypeAlias = "str | Callable[[Any], Q]"


def subtree_q(path: str, node: TreeNode) -> Q:
    """Rows whose node at `path` lies in `node`'s subtree ("" = the row itself is the node)."""
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}tree_id": node.tree_id, f"{prefix}lft__gte": node.lft, f"{prefix}lft__lte": node.rght})


def ancestors_q(path: str, node: TreeNode) -> Q:
    """Rows whose node at `path` is `node` or one of its ancestors (who answers for `node`, what covers it)."""
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}tree_id": node.tree_id, f"{prefix}lft__lte": node.lft, f"{prefix}rght__gte": node.rght})


if TYPE_CHECKING:
    _In = lookups.In[Any]
else:  # Django's lookups are not subscriptable at run time
    _In = lookups.In


class _KeyInSubquery(_In):
    """`key IN (subquery)`, written for PostgreSQL as `key = ANY(ARRAY(subquery))`: the subquery runs once (an
    InitPlan) and the condition stays an index condition on the key even under an OR, where `IN (subquery)`
    becomes a per-row SubPlan over a sequential scan."""

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} = ANY(ARRAY{rhs_sql})", (*lhs_params, *rhs_params)


def _subtree_pks(node: TreeNode) -> models.QuerySet[Any]:
    """The primary keys of `node`'s subtree, node included, as a subquery."""
    tree: type[models.Model] = type(cast(models.Model, node))
    return tree._base_manager.filter(subtree_q("", node)).order_by().values("pk")


def _node_q(path: ScopePath, node: object) -> Q:
    if callable(path):  # a model whose reach is not one foreign-key path (e.g. a unit shared by communities)
        return path(node)
    if isinstance(node, TreeNode):
        if path and "__" not in path:
            # The row's own foreign key against the subtree's ids: an index condition on the row's table, no join.
            return Q(_KeyInSubquery(F(path), _subtree_pks(node)))
        # The node's own table, or a node several joins away: the range, so PostgreSQL may start from the tree.
        return subtree_q(path, node)
    # A flat scope node such as a resident unit: scope providers return model rows, so it has a pk.
    return Q(**{path or "pk": cast(models.Model, node).pk})


def _crosses_many(model: type[models.Model], path: str) -> bool:
    """Whether a lookup path passes through a to-many relation (and so could repeat rows in a join)."""
    current: Any = model  # a relation's related_model is a model class, or "self" until the model is ready
    for part in path.split("__") if path else []:
        field = current._meta.get_field(part)
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        current = field.related_model
    return False


def scope_q(model: type[models.Model], user: ScopedUser) -> Q | None:
    """The filter for what `user` may see of `model`, or None when they may see nothing of it.

    `scope_paths` maps a kind of scope node ("org", "grid", "unit") to the lookup path from the model to such a
    node, or to a function of the node returning a Q for the rare model that needs more than one path.
    """
    paths: dict[str, ScopePath] = getattr(model, "scope_paths", {})
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


class ScopedQuerySet(models.QuerySet[_M]):
    """Base queryset for every model that belongs somewhere in the organization (or grid) tree."""

    def visible_to(self, user: Reader, action: str = VIEW) -> Self:
        if user is None or not user.is_authenticated or not user.is_active or not _is_scoped_user(user):
            return self.none()
        if user.is_superuser:
            return self
        if action != VIEW and not user.can_write:
            return self.none()
        condition = scope_q(self.model, user)
        if condition is None:
            return self.none()
        return self.filter(condition)

    def count(self) -> int:
        # A scope ORed with another reach (a ticket's assignee) is counted side by side: see core/counting.py.
        if self._result_cache is None:
            parts = count_by_parts(self)
            if parts is not None:
                return parts
        return super().count()


def _is_scoped_user(user: ScopedUser | AnonymousUser) -> TypeGuard[ScopedUser]:
    """Always true once a user is authenticated and active (the anonymous visitor is neither); it tells mypy so."""
    return user.is_authenticated


class PublicReadQuerySet(ScopedQuerySet[_M]):
    """Rows that are public information (the service catalogue, the published lists): every signed-in user reads
    all of them; writes stay inside the writer's scope like everything else."""

    def visible_to(self, user: Reader, action: str = VIEW) -> Self:
        if action == VIEW and user is not None and user.is_authenticated and user.is_active:
            return self.all()
        return super().visible_to(user, action)


def ensure_in_scope(instance: models.Model, user: Reader, action: str = CHANGE) -> None:
    """Refuse a write whose result would sit outside the user's scope; call it inside the write's transaction."""
    manager: Any = type(instance)._default_manager  # a scoped model's manager (it has visible_to), typed as Manager
    if not manager.visible_to(user, action).filter(pk=instance.pk).exists():
        raise PermissionDenied(_("该记录不在您的管辖范围内。"))


if TYPE_CHECKING:
    _Prefetch = models.Prefetch[str, models.QuerySet[Any], str]
else:  # Django's Prefetch is not subscriptable at run time
    _Prefetch = models.Prefetch


class ScopedPrefetch(_Prefetch):
    """A Prefetch whose rows are narrowed to what `user` may see, as NetBox's RestrictedPrefetch does.

    A nested serializer shows whatever its prefetch fetched; scoping the prefetch (not the serializer) means a
    reader of the parent never sees a related row they could not open on its own.
    """

    def __init__(
        self,
        lookup: str,
        user: Reader,
        queryset: models.QuerySet[Any] | None = None,
        to_attr: str | None = None,
        action: str = VIEW,
    ) -> None:
        self.user, self.action = user, action
        super().__init__(lookup, queryset=queryset, to_attr=to_attr)

    def get_current_querysets(self, level: int) -> list[models.QuerySet[Any]] | None:
        querysets = super().get_current_querysets(level)
        if querysets is None:
            return None
        return [restrict(qs, self.user, self.action) for qs in querysets]


def _scoped_prefetch(
    lookup: str, user: Reader, queryset: models.QuerySet[Any] | None = None, to_attr: str | None = None
) -> ScopedPrefetch:
    """ScopedPrefetch(...), called through a plain Callable: django-stubs' plugin (5.2.9) crashes with an IndexError in
    specialize_prefetch_type when it sees a Prefetch subclass constructed directly; its hook only fires on the class."""
    make: Callable[..., ScopedPrefetch] = ScopedPrefetch
    return make(lookup, user, queryset=queryset, to_attr=to_attr)


def restrict(queryset: _QS, user: Reader, action: str = VIEW) -> _QS:
    """`queryset.visible_to(user, action)` where the model is scoped, with its prefetches scoped the same way."""
    if hasattr(queryset, "visible_to"):
        queryset = queryset.visible_to(user, action)
    return scope_prefetches(queryset, user)


def scope_prefetches(queryset: _QS, user: Reader) -> _QS:
    """Rewrite every prefetch of `queryset` into ScopedPrefetch objects for `user`, one per level of each lookup.

    A plain "a__b" lookup becomes a scoped prefetch of "a" and one of "a__b", so no level reads the raw relation;
    related rows are read with "view" (what the reader may open on its own).
    """
    lookups: Sequence[str | models.Prefetch[Any, Any, Any]] = getattr(queryset, "_prefetch_related_lookups", ())
    if not lookups or all(isinstance(lookup, ScopedPrefetch) for lookup in lookups):
        return queryset
    scoped: dict[str, ScopedPrefetch] = {}
    for lookup in lookups:  # explicit Prefetch objects first: their querysets win over a level's default
        if isinstance(lookup, models.Prefetch):
            inner = scope_prefetches(lookup.queryset, user) if lookup.queryset is not None else None
            scoped[lookup.prefetch_to] = _scoped_prefetch(
                lookup.prefetch_through, user, queryset=inner, to_attr=lookup.to_attr
            )
    for lookup in lookups:
        through = lookup.prefetch_through if isinstance(lookup, models.Prefetch) else lookup
        for prefix, related in _levels(queryset.model, through):
            if prefix not in scoped:
                scoped[prefix] = _scoped_prefetch(prefix, user, queryset=related._default_manager.all())
    ordered = sorted(scoped.values(), key=lambda p: p.prefetch_to.count("__"))
    return queryset.prefetch_related(None).prefetch_related(*ordered)


def _levels(model: type[models.Model], lookup: str) -> Iterator[tuple[str, type[models.Model]]]:
    """(prefix, related model) for each level of a prefetch lookup path."""
    parts = lookup.split("__")
    current: Any = model  # a field's related_model: a model class, or None for a generic relation
    for depth, part in enumerate(parts, start=1):
        current = getattr(current._meta.get_field(part), "related_model", None)
        if current is None:  # a generic relation: no one model to scope by; its own Prefetch must say how
            return
        yield "__".join(parts[:depth]), current
