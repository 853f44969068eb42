"""Login forms of the pages (/accounts/login/ and /admin/login/): the login guard's lockout is a form error."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts import login_guard

LOCKED_OUT_MESSAGE = _("登录失败次数过多，请 %(minutes)s 分钟后再试。")


class GuardedLoginFormMixin:
    """Refuse before checking the password while locked out, with a message that says so.

    The backend refuses a locked-out login anyway; asking first only turns "wrong password" into the true reason.
    """

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is not None and self.request is not None:
            wait = login_guard.retry_after(self.request, username)
            if wait:
                raise forms.ValidationError(LOCKED_OUT_MESSAGE, code="locked_out", params={"minutes": -(-wait // 60)})
        return super().clean()


class GuardedAuthenticationForm(GuardedLoginFormMixin, AuthenticationForm):
    pass


class GuardedAdminAuthenticationForm(GuardedLoginFormMixin, AdminAuthenticationForm):
    pass
