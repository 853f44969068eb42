"""Ticket pages: intake, queue, ticket page and its actions, grid worker report, rating link, public catalogue."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import Role
from orgs.rules import Level
from services.models import Channel, ListKind, PublishedListEntry, Ticket, TicketPhoto, TicketStatus
from services.tickets.services import ticket_transition
from tests.accounts.factories import UserFactory
from tests.grids.factories import GridFactory, HouseholdFactory, VisitFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory
from tests.residents.factories import ResidentFactory
from tests.services.factories import ServiceItemFactory, TicketFactory

pytestmark = pytest.mark.django_db

FULL_PHONE = "13955501234"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def street():
    return OrganizationFactory(level=Level.STREET)


@pytest.fixture
def community(street):
    return OrganizationFactory(level=Level.COMMUNITY, parent=street, name="西津社区")


@pytest.fixture
def sibling(street):
    return OrganizationFactory(level=Level.COMMUNITY, parent=street, name="河沥社区")


@pytest.fixture
def grid(community):
    return GridFactory(community=community, name="西津第一网格")


@pytest.fixture
def staff(community):
    return UserFactory(role=Role.STAFF, scope=community, first_name="李受理")


@pytest.fixture
def worker(grid):
    return grid_worker_for(grid, first_name="王网格")


@pytest.fixture
def official(street):
    return UserFactory(role=Role.OFFICIAL, scope=street)


@pytest.fixture
def item():
    return ServiceItemFactory(name="路灯维修", code="ENV-001")


def png_bytes(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def logged_in(client, user):
    client.force_login(user)
    return client


def detail(ticket) -> str:
    return reverse("tickets:detail", args=[ticket.pk])


def act(ticket, action: str) -> str:
    return reverse("tickets:action", args=[ticket.pk, action])


# ---- scoping -------------------------------------------------------------------------------------------------


def test_staff_gets_404_for_another_communitys_ticket(client, staff, sibling, item):
    elsewhere = TicketFactory(community=sibling, service_item=item)
    response = logged_in(client, staff).get(detail(elsewhere))
    assert response.status_code == 404


def test_staff_action_on_another_communitys_ticket_is_404_and_changes_nothing(client, staff, sibling, item):
    elsewhere = TicketFactory(community=sibling, service_item=item)
    response = logged_in(client, staff).post(act(elsewhere, "accept"))
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == TicketStatus.REPORTED


def test_grid_worker_sees_tickets_of_their_grid_but_not_the_rest_of_the_community(
    client, worker, grid, community, item
):
    in_grid = TicketFactory(grid=grid, service_item=item)
    no_grid = TicketFactory(community=community, service_item=item)
    logged_in(client, worker)
    assert client.get(detail(in_grid)).status_code == 200
    assert client.get(detail(no_grid)).status_code == 404
    queue = client.get(reverse("tickets:queue")).content.decode()
    assert in_grid.reference in queue
    assert no_grid.reference not in queue


def test_grid_worker_sees_a_ticket_assigned_to_them_outside_their_grid(client, worker, staff, community, item):
    no_grid = TicketFactory(community=community, service_item=item)
    ticket_transition(ticket=no_grid, action="accept", by=staff)
    ticket_transition(ticket=no_grid, action="dispatch", by=staff, assignee_user=worker)
    logged_in(client, worker)
    assert client.get(detail(no_grid)).status_code == 200
    assert no_grid.reference in client.get(reverse("tickets:assigned")).content.decode()


# ---- the ticket page: only allowed actions, illegal posts, reasons ----------------------------------------------


def _actions_shown(response) -> set[str]:
    html = response.content.decode()
    return {a for a in ("accept", "dispatch", "start", "resolve", "close", "return", "reject", "reopen")
            if f'data-action="{a}"' in html}  # fmt: skip


def test_ticket_page_shows_only_the_actions_the_transition_table_allows(client, staff, community, item):
    ticket = TicketFactory(community=community, service_item=item)
    logged_in(client, staff)
    assert _actions_shown(client.get(detail(ticket))) == {"accept", "reject"}
    ticket_transition(ticket=ticket, action="accept", by=staff)
    assert _actions_shown(client.get(detail(ticket))) == {"dispatch", "start", "reject"}


def test_reference_is_shown_big_on_the_ticket_page(client, staff, community, item):
    ticket = TicketFactory(community=community, service_item=item)
    html = logged_in(client, staff).get(detail(ticket)).content.decode()
    assert f'<h1 class="ref-big" id="reference">{ticket.reference}</h1>' in html


def test_illegal_action_post_shows_a_message_and_changes_nothing(client, staff, community, item):
    ticket = TicketFactory(community=community, service_item=item)
    events_before = ticket.events.count()
    response = logged_in(client, staff).post(act(ticket, "resolve"), {"resolve-note": "办好了"}, follow=True)
    assert "不能执行该操作" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REPORTED
    assert ticket.events.count() == events_before


def test_return_without_a_reason_redisplays_the_form_in_chinese_and_changes_nothing(client, staff, worker, grid, item):
    ticket = TicketFactory(grid=grid, service_item=item)
    ticket_transition(ticket=ticket, action="accept", by=staff)
    ticket_transition(ticket=ticket, action="dispatch", by=staff, assignee_user=worker)
    response = logged_in(client, worker).post(act(ticket, "return"), {"return-note": "  "})
    assert response.status_code == 200
    assert "该字段是必填项" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DISPATCHED


def test_staff_accepts_and_dispatches_to_a_grid_worker_from_the_page(client, staff, worker, grid, item):
    ticket = TicketFactory(grid=grid, service_item=item)
    logged_in(client, staff)
    client.post(act(ticket, "accept"))
    response = client.post(act(ticket, "dispatch"), {"dispatch-assignee_user": worker.pk, "dispatch-note": "请尽快"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.owner, ticket.assignee_user) == (TicketStatus.DISPATCHED, staff, worker)


def test_dispatch_form_does_not_offer_a_user_outside_scope(client, staff, sibling, community, item):
    outsider = UserFactory(role=Role.STAFF, scope=sibling)
    ticket = TicketFactory(community=community, service_item=item)
    ticket_transition(ticket=ticket, action="accept", by=staff)
    response = logged_in(client, staff).post(act(ticket, "dispatch"), {"dispatch-assignee_user": outsider.pk})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ACCEPTED


def test_grid_worker_resolves_with_a_photo(client, staff, worker, grid, item):
    ticket = TicketFactory(grid=grid, service_item=item)
    ticket_transition(ticket=ticket, action="accept", by=staff)
    ticket_transition(ticket=ticket, action="dispatch", by=staff, assignee_user=worker)
    logged_in(client, worker)
    client.post(act(ticket, "start"))
    response = client.post(act(ticket, "resolve"), {"resolve-note": "已更换灯泡", "resolve-photos": [png_upload()]})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    photo = TicketPhoto.objects.get(ticket=ticket)
    assert photo.event.kind == "resolve"
    served = client.get(reverse("tickets:photo", args=[ticket.pk, photo.pk]))
    assert served.status_code == 200


def test_photo_of_another_communitys_ticket_is_404(client, staff, sibling, item):
    sibling_staff = UserFactory(role=Role.STAFF, scope=sibling)
    elsewhere = TicketFactory(community=sibling, service_item=item, photos=[png_upload()], by=sibling_staff)
    photo = elsewhere.photos.get()
    response = logged_in(client, staff).get(reverse("tickets:photo", args=[elsewhere.pk, photo.pk]))
    assert response.status_code == 404


# ---- officials read, never write --------------------------------------------------------------------------------


def test_official_reads_tickets_but_sees_no_actions(client, official, community, item):
    ticket = TicketFactory(community=community, service_item=item)
    response = logged_in(client, official).get(detail(ticket))
    assert response.status_code == 200
    assert _actions_shown(response) == set()


@pytest.mark.parametrize("page", ["tickets:new", "tickets:report"])
def test_official_cannot_open_the_forms(client, official, page):
    assert logged_in(client, official).get(reverse(page)).status_code == 403


def test_official_cannot_post_an_action(client, official, community, item):
    ticket = TicketFactory(community=community, service_item=item)
    assert logged_in(client, official).post(act(ticket, "accept")).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REPORTED


def test_anonymous_is_sent_to_login(client, community, item):
    ticket = TicketFactory(community=community, service_item=item)
    response = client.get(detail(ticket))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# ---- intake --------------------------------------------------------------------------------------------------


def _intake(**overrides) -> dict:
    data = {"channel": Channel.HOTLINE, "description": "楼道灯不亮", "priority": "normal", "q": ""}
    return data | overrides


def test_intake_for_a_found_resident_fills_community_grid_building_and_household(client, staff, grid, item):
    household = HouseholdFactory(building__grid=grid)
    resident = ResidentFactory(household=household, name="陈奶奶", phone=FULL_PHONE)
    response = logged_in(client, staff).post(
        reverse("tickets:new"), _intake(reporter=resident.pk, service_item=item.pk)
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == detail(ticket)
    assert (ticket.reporter, ticket.community, ticket.grid) == (resident, grid.community, grid)
    assert (ticket.building, ticket.household, ticket.channel) == (household.building, household, Channel.HOTLINE)
    assert ticket.reporter_name == "陈奶奶"


def test_intake_for_someone_not_registered_takes_name_and_phone(client, staff, community, item):
    logged_in(client, staff).post(
        reverse("tickets:new"),
        _intake(reporter_name="路人甲", reporter_phone=FULL_PHONE, community=community.pk, service_item=item.pk,
                channel=Channel.ONE_WINDOW),
    )  # fmt: skip
    ticket = Ticket.objects.get()
    assert (ticket.reporter_name, ticket.reporter_phone, ticket.channel) == ("路人甲", FULL_PHONE, Channel.ONE_WINDOW)


def test_intake_errors_are_in_chinese_and_keep_what_was_typed(client, staff, community, item):
    response = logged_in(client, staff).post(
        reverse("tickets:new"),
        _intake(reporter_phone="123", description="下水道堵了很久", community=community.pk, service_item=item.pk),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "请选择居民，或填写反映人姓名。" in html
    assert "下水道堵了很久" in html
    assert 'value="123"' in html
    assert Ticket.objects.count() == 0


def test_intake_reports_a_bad_phone_beside_the_field(client, staff, community, item):
    response = logged_in(client, staff).post(
        reverse("tickets:new"),
        _intake(reporter_name="路人甲", reporter_phone="12345", community=community.pk, service_item=item.pk),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="reporter_phone"' in html and "has-error" in html
    assert Ticket.objects.count() == 0


def test_intake_refuses_a_resident_outside_scope(client, staff, sibling, item):
    outsider = ResidentFactory(household__building__grid__community=sibling)
    response = logged_in(client, staff).post(
        reverse("tickets:new"), _intake(reporter=outsider.pk, service_item=item.pk)
    )
    assert response.status_code == 200
    assert Ticket.objects.count() == 0


def test_resident_lookup_finds_by_phone_and_masks_it(client, staff, grid, sibling):
    ResidentFactory(household__building__grid=grid, name="陈奶奶", phone=FULL_PHONE)
    ResidentFactory(household__building__grid__community=sibling, name="外社区", phone=FULL_PHONE)
    # Issue 9: without the PII permission a number matches as the last four digits the mask shows, never in full.
    response = logged_in(client, staff).get(reverse("tickets:resident-lookup"), {"q": "1234"})
    html = response.content.decode()
    assert "陈奶奶" in html
    assert "外社区" not in html
    assert FULL_PHONE not in html
    assert "139****1234" in html


def test_intake_page_groups_items_by_category(client, staff):
    ServiceItemFactory(name="低保申请", category="civil_affairs")
    html = logged_in(client, staff).get(reverse("tickets:new")).content.decode()
    assert '<optgroup label="民政服务">' in html


# ---- photos: images only, size-limited --------------------------------------------------------------------------


def test_intake_refuses_a_file_that_is_not_an_image(client, staff, community, item):
    fake = SimpleUploadedFile("photo.png", b"not an image at all", content_type="image/png")
    response = logged_in(client, staff).post(
        reverse("tickets:new"),
        _intake(reporter_name="路人甲", community=community.pk, service_item=item.pk, photos=[fake]),
    )
    assert response.status_code == 200
    assert "请上传图片文件" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_grid_report_refuses_a_photo_over_the_size_limit(client, settings, worker, grid, item):
    settings.TICKET_PHOTO_MAX_BYTES = 50
    big = SimpleUploadedFile("big.png", png_bytes((64, 64)), content_type="image/png")
    response = logged_in(client, worker).post(
        reverse("tickets:report"), {"grid": grid.pk, "service_item": item.pk, "description": "x", "priority": "normal",
                                    "photos": [big]},
    )  # fmt: skip
    assert response.status_code == 200
    assert "照片不能超过" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_resolve_refuses_a_file_that_is_not_an_image(client, staff, worker, grid, item):
    ticket = TicketFactory(grid=grid, service_item=item)
    ticket_transition(ticket=ticket, action="accept", by=staff)
    ticket_transition(ticket=ticket, action="start", by=staff)
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4", content_type="image/jpeg")
    response = logged_in(client, staff).post(act(ticket, "resolve"), {"resolve-note": "好了", "resolve-photos": [fake]})
    assert "请上传图片文件" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


# ---- grid worker pages -----------------------------------------------------------------------------------------


def test_grid_report_page_preselects_the_grid_and_opens_the_camera(client, worker, grid):
    html = logged_in(client, worker).get(reverse("tickets:report")).content.decode()
    assert f'<option value="{grid.pk}" selected>' in html
    assert 'accept="image/*"' in html and "capture=" in html


def test_grid_worker_reports_a_ticket_with_a_photo(client, worker, grid, item):
    response = logged_in(client, worker).post(
        reverse("tickets:report"),
        {"grid": grid.pk, "service_item": item.pk, "description": "垃圾堆放", "priority": "normal",
         "photos": [png_upload()]},
    )  # fmt: skip
    ticket = Ticket.objects.get()
    assert response["Location"] == detail(ticket)
    assert (ticket.channel, ticket.grid, ticket.community) == (Channel.GRID_REPORT, grid, grid.community)
    assert ticket.photos.count() == 1


def test_visit_with_follow_up_turns_into_a_ticket(client, worker, grid, item):
    household = HouseholdFactory(building__grid=grid)
    visit = VisitFactory(household=household, visitor=worker, follow_up_needed=True, notes="屋顶漏水")
    logged_in(client, worker)
    assert (
        reverse("tickets:from-visit", args=[visit.pk])
        in client.get(reverse("grid:household", args=[household.pk])).content.decode()
    )
    client.post(reverse("tickets:from-visit", args=[visit.pk]), {"service_item": item.pk, "description": "屋顶漏水"})
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.household) == (Channel.VISIT_FOLLOW_UP, household)


def test_a_visit_becomes_at_most_one_ticket_and_the_household_page_links_it(client, worker, grid, item):
    household = HouseholdFactory(building__grid=grid)
    visit = VisitFactory(household=household, visitor=worker, follow_up_needed=True, notes="屋顶漏水")
    logged_in(client, worker)
    form = {"service_item": item.pk, "description": "屋顶漏水"}
    client.post(reverse("tickets:from-visit", args=[visit.pk]), form)
    ticket = Ticket.objects.get()
    again = client.post(reverse("tickets:from-visit", args=[visit.pk]), form)
    assert again["Location"] == detail(ticket)
    assert Ticket.objects.count() == 1
    page = client.get(reverse("grid:household", args=[household.pk])).content.decode()
    assert ticket.reference in page
    assert reverse("tickets:from-visit", args=[visit.pk]) not in page


def test_the_service_refuses_to_turn_one_visit_into_a_second_ticket(worker, grid, item):
    from django.core.exceptions import ValidationError

    from services.tickets.services import ticket_from_visit

    visit = VisitFactory(household=HouseholdFactory(building__grid=grid), visitor=worker, follow_up_needed=True)
    first = ticket_from_visit(visit=visit, by=worker, service_item=item)
    with pytest.raises(ValidationError) as excinfo:
        ticket_from_visit(visit=visit, by=worker, service_item=item)
    assert first.reference in str(excinfo.value)


def test_visit_without_follow_up_has_no_ticket_page(client, worker, grid):
    visit = VisitFactory(household=HouseholdFactory(building__grid=grid), visitor=worker, follow_up_needed=False)
    assert logged_in(client, worker).get(reverse("tickets:from-visit", args=[visit.pk])).status_code == 404


# ---- the queue ---------------------------------------------------------------------------------------------------


def test_queue_masks_reporter_phones(client, staff, community, item):
    TicketFactory(community=community, service_item=item, reporter_phone=FULL_PHONE)
    html = logged_in(client, staff).get(reverse("tickets:queue")).content.decode()
    assert FULL_PHONE not in html
    assert "139****1234" in html


def test_queue_filters_mine_overdue_and_status(client, staff, community, item):
    mine = TicketFactory(community=community, service_item=item)
    ticket_transition(ticket=mine, action="accept", by=staff)
    late = TicketFactory(community=community, service_item=item)
    Ticket.objects.filter(pk=late.pk).update(resolution_due_at=timezone.now() - datetime.timedelta(hours=1))
    logged_in(client, staff)
    mine_html = client.get(reverse("tickets:queue"), {"mine": "on"}).content.decode()
    assert mine.reference in mine_html and late.reference not in mine_html
    late_html = client.get(reverse("tickets:queue"), {"overdue": "on"}).content.decode()
    assert late.reference in late_html and mine.reference not in late_html
    status_html = client.get(reverse("tickets:queue"), {"status": "accepted"}).content.decode()
    assert mine.reference in status_html and late.reference not in status_html


def test_queue_shows_tickets_escalated_to_us(client, street, community, item):
    street_staff = UserFactory(role=Role.STAFF, scope=street)
    escalated = TicketFactory(community=community, service_item=item)
    other = TicketFactory(community=community, service_item=item)
    Ticket.objects.filter(pk=escalated.pk).update(escalation_count=2, handling_org=street)
    html = logged_in(client, street_staff).get(reverse("tickets:queue"), {"escalated": "on"}).content.decode()
    assert escalated.reference in html and other.reference not in html


def test_queue_runs_the_same_number_of_queries_at_two_sizes(
    client, staff, worker, grid, item, django_assert_max_num_queries
):
    def make(n):
        for _ in range(n):
            ticket = TicketFactory(
                grid=grid, service_item=item, reporter=ResidentFactory(household__building__grid=grid)
            )
            ticket_transition(ticket=ticket, action="accept", by=staff)
            ticket_transition(ticket=ticket, action="dispatch", by=staff, assignee_user=worker)

    logged_in(client, staff)
    make(2)
    client.get(reverse("tickets:queue"))  # warm the session and content types
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("tickets:queue")).status_code == 200
    make(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("tickets:queue"))
    assert response.content.decode().count("data-ticket=") == 10


# ---- the resident's rating link ---------------------------------------------------------------------------------


@pytest.fixture
def resolved(staff, community, item):
    ticket = TicketFactory(community=community, service_item=item)
    for action in ("accept", "start"):
        ticket = ticket_transition(ticket=ticket, action=action, by=staff)
    return ticket_transition(ticket=ticket, action="resolve", by=staff, note="已处理")


def rate_url(ticket) -> str:
    return reverse("ticket-rate", args=[ticket.rating_token])


def test_rating_link_works_without_login_and_closes_the_ticket(client, resolved):
    form = client.get(rate_url(resolved))
    assert form.status_code == 200 and resolved.reference in form.content.decode()
    response = client.post(rate_url(resolved), {"rating": "5", "comment": "很及时"})
    assert "感谢您的评价" in response.content.decode()
    resolved.refresh_from_db()
    assert (resolved.status, resolved.rating, resolved.rating_comment) == (TicketStatus.CLOSED, 5, "很及时")


def test_low_rating_says_the_ticket_is_reopened(client, resolved):
    response = client.post(rate_url(resolved), {"rating": "1"})
    assert "重新启动复核" in response.content.decode()
    resolved.refresh_from_db()
    assert resolved.status == TicketStatus.REOPENED


def test_reused_rating_link_gets_a_clear_page_and_changes_nothing(client, resolved):
    client.post(rate_url(resolved), {"rating": "5"})
    again = client.post(rate_url(resolved), {"rating": "1"})
    assert again.status_code == 410
    assert "该工单已评价或暂不能评价" in again.content.decode()
    resolved.refresh_from_db()
    assert (resolved.status, resolved.rating) == (TicketStatus.CLOSED, 5)
    assert "该工单已评价或暂不能评价" in client.get(rate_url(resolved)).content.decode()


def test_expired_rating_link_gets_a_clear_page(client, resolved):
    Ticket.objects.filter(pk=resolved.pk).update(rating_token_expires_at=timezone.now() - datetime.timedelta(days=1))
    for response in (client.get(rate_url(resolved)), client.post(rate_url(resolved), {"rating": "5"})):
        assert response.status_code == 410
        assert "评价链接已过期" in response.content.decode()
    resolved.refresh_from_db()
    assert resolved.rating is None


def test_unknown_rating_token_gets_a_clear_page(client, resolved):
    response = client.post(reverse("ticket-rate", args=["not-a-real-token"]), {"rating": "5"})
    assert response.status_code == 410
    assert "评价链接无效" in response.content.decode()


def test_another_tickets_token_rates_only_that_ticket(client, resolved, staff, community, item):
    other = TicketFactory(community=community, service_item=item)
    for action in ("accept", "start", "resolve"):
        other = ticket_transition(ticket=other, action=action, by=staff, note="好")
    client.post(rate_url(other), {"rating": "4"})
    resolved.refresh_from_db()
    other.refresh_from_db()
    assert (other.rating, resolved.rating, resolved.status) == (4, None, TicketStatus.RESOLVED)


def test_rating_without_a_choice_is_asked_again_in_chinese(client, resolved):
    response = client.post(rate_url(resolved), {"rating": "9"})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    resolved.refresh_from_db()
    assert resolved.rating is None


def test_ticket_page_shows_the_rating_link_while_waiting_for_the_rating(client, staff, resolved):
    html = logged_in(client, staff).get(detail(resolved)).content.decode()
    assert rate_url(resolved) in html


# ---- the public catalogue -------------------------------------------------------------------------------------


def test_public_catalogue_needs_no_login_and_shows_no_personal_data(client, community, sibling, street):
    community.code = "XJ-001"
    community.save()
    ServiceItemFactory(
        name="低保申请", category="civil_affairs", requirements="家庭人均收入低于标准", materials="户口簿"
    )
    ServiceItemFactory(name="内部事项", is_public=False)
    ServiceItemFactory(name="河沥专属", organization=sibling)
    ServiceItemFactory(name="街道事项", organization=street)
    PublishedListEntry.objects.create(organization=street, kind=ListKind.MICRO_POWER, title="低保审核公示")
    PublishedListEntry.objects.create(organization=sibling, kind=ListKind.NEGATIVE_CONDUCT, title="河沥条目")
    PublishedListEntry.objects.create(organization=community, kind=ListKind.NEGATIVE_CONDUCT, title="不得推诿扯皮")
    TicketFactory(community=community, reporter_name="张秘密", reporter_phone=FULL_PHONE)
    response = client.get(reverse("catalogue", args=["XJ-001"]))
    html = response.content.decode()
    assert response.status_code == 200
    for shown in ("低保申请", "家庭人均收入低于标准", "户口簿", "街道事项", "低保审核公示", "不得推诿扯皮", "民政服务"):
        assert shown in html
    for hidden in ("内部事项", "河沥专属", "河沥条目", "张秘密", FULL_PHONE, "139****1234"):
        assert hidden not in html


def test_public_catalogue_of_an_unknown_community_is_404(client):
    assert client.get(reverse("catalogue", args=["nope"])).status_code == 404


def test_queue_and_api_agree_on_what_is_overdue_and_escalated(client, street, community, item):
    street_staff = UserFactory(role=Role.STAFF, scope=street)
    level_late = TicketFactory(community=community, service_item=item)
    on_time = TicketFactory(community=community, service_item=item)
    Ticket.objects.filter(pk=level_late.pk).update(
        level_due_at=timezone.now() - datetime.timedelta(minutes=5), escalation_count=1, handling_org=community
    )
    logged_in(client, street_staff)
    for params in ({"overdue": "on"}, {"escalated": "on"}):
        html = client.get(reverse("tickets:queue"), params).content.decode()
        assert level_late.reference in html and on_time.reference not in html
    api = client.get("/api/v1/tickets/", {"overdue": "true", "escalated_to_me": "true"}).json()
    assert [row["reference"] for row in api["results"]] == [level_late.reference]
