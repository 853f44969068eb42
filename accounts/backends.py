"""The authentication backend that carries the login guard, so no way in can skip it (see accounts.login_guard)."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts import login_guard


class LockedOut(PermissionDenied):
    """Raised inside authenticate(): Django stops trying backends and answers "no user"."""


class GuardedModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        username = login_guard.clean_username(username)
        if request is None:  # not a way in from outside (manage.py, the test client's login())
            return super().authenticate(request, username=username, password=password, **kwargs)
        if login_guard.retry_after(request, username):
            raise LockedOut
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_guard.record_failure(request, username)
        else:
            login_guard.clear_failures(request, username)
        return user
