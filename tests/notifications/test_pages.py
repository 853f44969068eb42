"""Notifications page: a user's own notifications, marked read one by one or all at once; the unread badge."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="reader")


def _notify(user, n: int, *, link: str = "") -> list[Notification]:
    for i in range(n):
        notify(recipients=[user], kind="test", title=f"提醒{i}", dedup_key=f"test:{user.pk}:{i}", link=link)
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def _badge(page: str) -> str | None:
    marker = 'id="unread-count"'
    if marker not in page:
        return None
    start = page.index(">", page.index(marker)) + 1
    return page[start : page.index("<", start)]


def test_header_badge_shows_the_unread_count_on_every_page(client, user):
    _notify(user, 3)
    Notification.objects.filter(title="提醒0").update(is_read=True)
    client.force_login(user)

    for url in ("/", reverse("notifications:list"), reverse("grid:home")):
        assert _badge(client.get(url, follow=True).content.decode()) == "2", url


def test_no_badge_without_unread_notifications(client, user):
    client.force_login(user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert _badge(page) is None
    assert "还没有通知。" in page


def test_list_shows_only_the_users_own_notifications(client, user):
    _notify(user, 1)
    notify(recipients=[UserFactory()], kind="test", title="别人的提醒", dedup_key="other")
    client.force_login(user)

    page = client.get(reverse("notifications:list")).content.decode()

    assert "提醒0" in page and "别人的提醒" not in page


def test_mark_one_read_lowers_the_badge(client, user):
    first, _second = _notify(user, 2)
    client.force_login(user)

    response = client.post(reverse("notifications:read", args=[first.pk]), follow=True)

    assert _badge(response.content.decode()) == "1"
    first.refresh_from_db()
    assert first.is_read


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, user):
    (notification,) = _notify(user, 1, link="/unit/whistles/7/")
    client.force_login(user)

    response = client.post(reverse("notifications:read", args=[notification.pk]), {"open": "1"})

    assert response.url == "/unit/whistles/7/"
    notification.refresh_from_db()
    assert notification.is_read


def test_an_offsite_link_is_not_followed(client, user):
    (notification,) = _notify(user, 1, link="https://evil.example/")
    client.force_login(user)

    response = client.post(reverse("notifications:read", args=[notification.pk]), {"open": "1"})

    assert response.url == reverse("notifications:list")


def test_mark_all_read(client, user):
    _notify(user, 3)
    (others,) = _notify(UserFactory(), 1)
    client.force_login(user)

    response = client.post(reverse("notifications:read-all"), follow=True)

    assert _badge(response.content.decode()) is None
    assert not Notification.objects.filter(recipient=user, is_read=False).exists()
    others.refresh_from_db()
    assert not others.is_read


def test_cannot_mark_another_users_notification(client, user):
    (others,) = _notify(UserFactory(), 1)
    client.force_login(user)

    assert client.post(reverse("notifications:read", args=[others.pk])).status_code == 404
    others.refresh_from_db()
    assert not others.is_read


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_list_runs_a_constant_number_of_queries(client, user, django_assert_max_num_queries):
    _notify(user, 2)
    client.force_login(user)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("notifications:list"))
    for i in range(2, 25):
        notify(recipients=[user], kind="test", title=f"更多{i}", dedup_key=f"more:{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("notifications:list"))
