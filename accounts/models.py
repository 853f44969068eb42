"""Portal accounts: every user has a role (what they may do) and a scope (where they may do it)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet, scope_providers


class Role(models.TextChoices):
    OFFICIAL = "official", _("区级领导（只读）")
    STAFF = "staff", _("社区/街道工作人员")
    GRID_WORKER = "grid_worker", _("网格员")
    INTEGRATOR = "integrator", _("接口对接方")
    UNIT_LIAISON = "unit_liaison", _("驻区单位联络员")


# Roles that may write inside their scope; officials read only.
WRITER_ROLES = frozenset({Role.STAFF, Role.GRID_WORKER, Role.INTEGRATOR, Role.UNIT_LIAISON})
# Roles that work in the browser admin (and so need Django's is_staff flag).
ADMIN_ROLES = frozenset({Role.STAFF, Role.OFFICIAL})


class UserQuerySet(ScopedQuerySet):
    pass


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STAFF)
    scope = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("管辖范围"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scoped_users",
        help_text=_("用户可以查看和管理的组织节点（含其全部下级）。"),
    )
    unit = models.ForeignKey(
        "cobuilding.ResidentUnit",
        verbose_name=_("所属驻区单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_users",
        help_text=_("驻区单位联络员只能看到本单位的协议、承诺、会议事项和吹哨。"),
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    objects = PortalUserManager()

    scope_paths = {"org": "scope"}

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        permissions = [("view_full_pii", _("可查看完整身份证号和电话"))]

    def save(self, *args, **kwargs):
        # Admin access follows the role, so nobody has to remember to tick "staff status" by hand.
        self.is_staff = self.is_superuser or self.role in ADMIN_ROLES
        super().save(*args, **kwargs)
        self.forget_scope_nodes()

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self.forget_scope_nodes()

    @property
    def can_write(self) -> bool:
        return self.is_superuser or self.role in WRITER_ROLES

    def scope_nodes(self) -> list[tuple[str, object]]:
        """The tree nodes whose subtrees this user may reach, as (kind, node) pairs used by core.scoping.

        Every scoped query of a request asks for them, so they are computed once per user instance (a request's
        user) and kept for as long as the role, scope and unit they were computed from; saving the user, reloading
        it or the API's start of a request (forget_scope_nodes) computes them afresh.
        """
        key = (self.role, self.scope_id, self.unit_id)
        cached = self.__dict__.get("_scope_nodes_cache")
        if cached is None or cached[0] != key:
            cached = (key, self._compute_scope_nodes())
            self.__dict__["_scope_nodes_cache"] = cached
        return list(cached[1])

    def forget_scope_nodes(self) -> None:
        self.__dict__.pop("_scope_nodes_cache", None)

    def _compute_scope_nodes(self) -> list[tuple[str, object]]:
        """A role with a registered scope provider (a grid worker: their grids, see grids.scope) reaches what the
        provider returns; when it returns nothing, or for any other role, the user reaches their organization."""
        if self.role == Role.UNIT_LIAISON:
            return [("unit", self.unit)] if self.unit_id else []
        provider = scope_providers.get(self.role)
        nodes = provider(self) if provider is not None else []
        if nodes:
            return list(nodes)
        return [("org", self.scope)] if self.scope_id else []


class PIIAccessLogQuerySet(ScopedQuerySet):
    pass


class PIIAccessLog(models.Model):
    """One row for every full view of someone's ID number or phone: who, whose, when, from where."""

    viewer = models.ForeignKey(User, verbose_name=_("查看人"), on_delete=models.PROTECT, related_name="+")
    subject_type = models.CharField(_("对象类型"), max_length=50)
    subject_id = models.BigIntegerField(_("对象编号"))
    subject_label = models.CharField(_("对象"), max_length=100)
    fields = models.CharField(_("查看字段"), max_length=100)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("所属组织"), on_delete=models.PROTECT, related_name="+"
    )
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    viewed_at = models.DateTimeField(_("查看时间"), auto_now_add=True, db_index=True)

    objects = PIIAccessLogQuerySet.as_manager()

    scope_paths = {"org": "organization"}

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.viewer} → {self.subject_label} ({self.viewed_at:%Y-%m-%d %H:%M})"


# --- Login guard (helper "login", issue 9): failed-login counters live in the database, see accounts.login_guard ---
class LoginFailureCounter(models.Model):
    """Failed logins counted under one key (an address and a username, or an address alone) until `expires_at`."""

    key = models.CharField(_("键"), max_length=64, unique=True)
    count = models.PositiveIntegerField(_("失败次数"), default=0)
    expires_at = models.DateTimeField(_("到期时间"), db_index=True)

    class Meta:
        verbose_name = _("登录失败计数")
        verbose_name_plural = _("登录失败计数")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
