from notifications.models import Notification


def unread_notifications(request):
    """The unread count for the page header; one cheap indexed count, only for logged-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": Notification.objects.for_user(user).unread().count()}
