"""The user's own notifications: read them, open their link, mark one or all read (notifications.services)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import ListView, View

from notifications.models import Notification
from notifications.services import mark_read


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.for_user(self.request.user).order_by("-created_at", "-id")


class NotificationReadView(LoginRequiredMixin, View):
    """Mark one notification read and go to what it is about (its link), or back to the list.

    Another user's notification is a 404, like a missing one.
    """

    http_method_names = ["post"]

    def post(self, request, pk: int):
        notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
        mark_read(user=request.user, ids=[notification.pk])
        link = notification.link
        if request.POST.get("open") and link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
            return redirect(link)
        return redirect("notifications:list")


class NotificationReadAllView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        mark_read(user=request.user)
        return redirect("notifications:list")
