"""Point orders reuse the ticket life; micro-wishes claimed once, fulfilled with a photo, confirmed after; the public
wall masks names and shows no addresses; fulfilled counts roll up the tree; projects claimed once and rated; the
admin is scoped for staff."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.models import Role
from services.community import services as cs
from services.community.selectors import wish_counts_by_child, wishes_fulfilled_by_claimer
from services.models import Channel, ProjectRating, ProviderKind, TicketEvent, TicketStatus, WishStatus
from tests.accounts.factories import UserFactory
from tests.cobuilding.factories import AgreementFactory, ResidentUnitFactory
from tests.conftest import client_for
from tests.orgs.factories import OrganizationFactory, PartyMemberFactory
from tests.residents.factories import ResidentFactory
from tests.services.factories import (
    HousekeeperProjectFactory,
    MenuServiceFactory,
    MicroWishFactory,
    TicketFactory,
    new_community,
)

pytestmark = pytest.mark.django_db


def png(name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 0, 0)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def staff_of(org, **fields):
    return UserFactory(role=Role.STAFF, scope=org, **fields)


@pytest.fixture
def community():
    return new_community()


@pytest.fixture
def resident(community):
    return ResidentFactory(name="张三丰", household__building__grid__community=community)


@pytest.fixture
def staff(community):
    return staff_of(community)


# --- Point orders ----------------------------------------------------------------------------------------------


def test_a_placed_order_is_a_point_order_ticket_of_the_menu_item(community, staff, resident):
    menu = MenuServiceFactory(community=community, provider_org=community)
    ticket = cs.order_place(menu_item=menu, by=staff, reporter=resident, description="想咨询遗产继承")
    assert ticket.channel == Channel.POINT_ORDER
    assert ticket.menu_item == menu and ticket.service_item == menu.service_item
    assert ticket.status == TicketStatus.REPORTED and ticket.reference.startswith("NG-")
    assert list(ticket.events.values_list("kind", flat=True)) == ["reported"]


def test_order_dispatch_take_done_walk_the_ticket_transition_table_to_the_provider_unit(community, staff, resident):
    agreement = AgreementFactory(community=community)
    menu = MenuServiceFactory(
        community=community, provider_kind=ProviderKind.UNIT, provider_org=None, provider_unit=agreement.unit
    )
    ticket = cs.order_place(menu_item=menu, by=staff, reporter=resident)
    ticket = cs.order_dispatch(ticket=ticket, by=staff)
    assert ticket.status == TicketStatus.DISPATCHED
    assert ticket.assignee_unit == agreement.unit and ticket.owner == staff  # accepted on the way: 首问负责
    ticket = cs.order_take(ticket=ticket, by=staff)
    assert ticket.status == TicketStatus.IN_PROGRESS
    ticket = cs.order_done(ticket=ticket, by=staff, note="已上门服务")
    assert ticket.status == TicketStatus.RESOLVED and ticket.rating_token_expires_at is not None
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["reported", "accept", "dispatch", "order_provider", "start", "resolve"]
    provider = TicketEvent.objects.get(ticket=ticket, kind="order_provider")
    assert provider.data["provider_unit"] == agreement.unit.pk


def test_an_order_of_a_member_is_dispatched_by_name_and_the_member_recorded(community, staff, resident):
    member = PartyMemberFactory(name="李党员")
    menu = MenuServiceFactory(
        community=community, provider_kind=ProviderKind.MEMBER, provider_org=None, provider_member=member
    )
    ticket = cs.order_dispatch(ticket=cs.order_place(menu_item=menu, by=staff, reporter=resident), by=staff)
    assert "李党员" in ticket.assignee_department
    assert TicketEvent.objects.get(ticket=ticket, kind="order_provider").data["provider_member"] == member.pk


def test_taking_an_order_before_dispatch_is_an_illegal_transition_and_changes_nothing(community, staff, resident):
    ticket = cs.order_place(menu_item=MenuServiceFactory(community=community), by=staff, reporter=resident)
    with pytest.raises(ValidationError) as exc:
        cs.order_done(ticket=ticket, by=staff)
    assert exc.value.code == "illegal_transition"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REPORTED and ticket.events.count() == 1


def test_order_actions_refuse_a_ticket_that_is_not_an_order(community, staff):
    ticket = TicketFactory(community=community, by=staff)
    with pytest.raises(ValidationError):
        cs.order_dispatch(ticket=ticket, by=staff)


def test_orders_api_lists_only_point_orders_and_dispatches_through_the_action(community, staff, resident):
    menu = MenuServiceFactory(community=community)
    TicketFactory(community=community, by=staff)
    client = client_for(staff)
    created = client.post("/api/v1/orders/", {"menu_item": menu.pk, "reporter": resident.pk}, format="json")
    assert created.status_code == 201, created.content
    listed = client.get("/api/v1/orders/").json()
    assert [row["id"] for row in listed["results"]] == [created.json()["id"]]
    answer = client.post(f"/api/v1/orders/{created.json()['id']}/dispatch/", {}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == TicketStatus.DISPATCHED
    assert client.post(f"/api/v1/orders/{created.json()['id']}/done/", {}, format="json").status_code == 409


def test_orders_api_hides_another_communitys_orders(community, staff, resident):
    ticket = cs.order_place(menu_item=MenuServiceFactory(community=community), by=staff, reporter=resident)
    outsider = staff_of(OrganizationFactory(level="community", parent=community.parent))
    client = client_for(outsider)
    assert client.get(f"/api/v1/orders/{ticket.pk}/").status_code == 404
    assert client.post(f"/api/v1/orders/{ticket.pk}/dispatch/", {}, format="json").status_code == 404


# --- Micro-wishes ----------------------------------------------------------------------------------------------


@pytest.fixture
def wish(resident, staff):
    return cs.wish_post(resident=resident, title="一台收音机", by=staff)


def test_a_wish_is_posted_in_the_residents_community(wish, community):
    assert wish.community == community and wish.status == WishStatus.POSTED


def test_a_wish_claimed_twice_is_refused(wish, staff):
    cs.wish_claim(wish=wish, by=staff, member=PartyMemberFactory())
    with pytest.raises(ValidationError) as exc:
        cs.wish_claim(wish=wish, by=staff, unit=ResidentUnitFactory())
    assert exc.value.code == "illegal_transition"
    wish.refresh_from_db()
    assert wish.claimed_by_unit is None and wish.claimed_by_member is not None


def test_a_claim_names_exactly_one_claimer(wish, staff):
    with pytest.raises(ValidationError):
        cs.wish_claim(wish=wish, by=staff)
    with pytest.raises(ValidationError):
        cs.wish_claim(wish=wish, by=staff, member=PartyMemberFactory(), organization=wish.community)


def test_fulfilling_needs_a_photo_that_is_an_image(wish, staff):
    cs.wish_claim(wish=wish, by=staff, organization=wish.community)
    with pytest.raises(ValidationError) as exc:
        cs.wish_fulfil(wish=wish, photo=None, by=staff)
    assert "fulfilment_photo" in exc.value.message_dict
    with pytest.raises(ValidationError):
        cs.wish_fulfil(wish=wish, photo=SimpleUploadedFile("x.png", b"not an image"), by=staff)
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED
    wish = cs.wish_fulfil(wish=wish, photo=png(), by=staff)
    assert wish.status == WishStatus.FULFILLED and wish.fulfilment_photo.name.startswith("wishes/")


def test_confirm_only_after_fulfilment(wish, staff):
    with pytest.raises(ValidationError):
        cs.wish_confirm(wish=wish, by=staff)
    cs.wish_claim(wish=wish, by=staff, organization=wish.community)
    with pytest.raises(ValidationError):
        cs.wish_confirm(wish=wish, by=staff)
    cs.wish_fulfil(wish=wish, photo=png(), by=staff)
    wish = cs.wish_confirm(wish=wish, by=staff)
    assert wish.status == WishStatus.CONFIRMED and wish.confirmed_at is not None


def test_a_withdrawn_wish_cannot_be_claimed(wish, staff):
    cs.wish_withdraw(wish=wish, by=staff)
    with pytest.raises(ValidationError):
        cs.wish_claim(wish=wish, by=staff, organization=wish.community)


def test_staff_of_another_community_cannot_claim_for_the_wish(wish, community):
    outsider = staff_of(OrganizationFactory(level="community", parent=community.parent))
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the scope check
        cs.wish_claim(wish=wish, by=outsider, organization=community)
    wish.refresh_from_db()
    assert wish.status == WishStatus.POSTED


def test_wishes_api_claim_twice_is_409_and_fulfil_without_photo_is_400(wish, staff):
    client = client_for(staff)
    url = f"/api/v1/wishes/{wish.pk}/"
    assert client.post(url + "claim/", {"organization": wish.community.pk}, format="json").status_code == 200
    assert client.post(url + "claim/", {"organization": wish.community.pk}, format="json").status_code == 409
    answer = client.post(url + "fulfil/", {}, format="multipart")
    assert answer.status_code == 400 and "photo" in answer.json()
    assert client.post(url + "fulfil/", {"photo": png()}, format="multipart").status_code == 200
    assert client.post(url + "confirm/").json()["status"] == WishStatus.CONFIRMED


def test_wall_masks_names_shows_no_address_and_needs_no_login(wish, staff, community, resident):
    claimed = MicroWishFactory(resident=ResidentFactory(name="王小明", household=resident.household), title="一辆轮椅")
    cs.wish_claim(wish=claimed, by=staff, unit=ResidentUnitFactory(name="宁国市人民医院"))
    hidden = MicroWishFactory(resident=resident, title="已撤回的心愿")
    cs.wish_withdraw(wish=hidden, by=staff)
    response = Client().get(f"/wishes/wall/{community.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "一台收音机" in page and "一辆轮椅" in page and "宁国市人民医院" in page
    assert "张**" in page and "王**" in page
    assert "张三丰" not in page and "王小明" not in page
    assert "已撤回的心愿" not in page
    building = resident.household.building
    building.address = "宁国市西津街道津河路88号"
    building.save()
    page = Client().get(f"/wishes/wall/{community.code}/").content.decode()
    assert building.address not in page and f">{building.name}<" not in page and "津河路" not in page
    assert Client().get("/wishes/wall/NO-SUCH-CODE/").status_code == 404


def test_fulfilled_wishes_roll_up_to_the_street_as_a_database_aggregate(
    wish, staff, community, django_assert_max_num_queries
):
    street = community.parent
    other = OrganizationFactory(level="community", parent=street)
    cs.wish_claim(wish=wish, by=staff, organization=community)
    cs.wish_fulfil(wish=wish, photo=png(), by=staff)
    MicroWishFactory(resident=ResidentFactory(household=wish.resident.household))  # posted, not fulfilled
    street_staff = staff_of(street)
    with django_assert_max_num_queries(1):
        rows = {org.pk: org for org in wish_counts_by_child(node=street, fetched_by=street_staff)}
    assert rows[street.pk].wishes_fulfilled == 1 and rows[street.pk].wishes_posted == 1
    assert rows[community.pk].wishes_fulfilled == 1
    assert rows[other.pk].wishes_fulfilled == 0
    claimers = wishes_fulfilled_by_claimer(node=street, fetched_by=street_staff)
    assert claimers["organizations"] == [
        {"claimed_by_org": community.pk, "claimed_by_org__name": community.name, "fulfilled": 1}
    ]
    sibling_staff = staff_of(other)
    assert {o.pk: o.wishes_fulfilled for o in wish_counts_by_child(node=other, fetched_by=sibling_staff)} == {
        other.pk: 0
    }


# --- Housekeeper projects --------------------------------------------------------------------------------------


def test_a_project_is_claimed_once_and_rated_only_when_claimed(community, staff):
    project = HousekeeperProjectFactory(community=community)
    with pytest.raises(ValidationError):
        cs.project_rate(project=project, rating=ProjectRating.EXEMPLARY, by=staff)
    unit = ResidentUnitFactory()
    project = cs.project_claim(project=project, unit=unit, funding=20000, by=staff)
    assert project.funded_by == unit and project.funding == 20000
    with pytest.raises(ValidationError):
        cs.project_claim(project=project, unit=ResidentUnitFactory(), funding=1000, by=staff)
    assert cs.project_rate(project=project, rating=ProjectRating.EXCELLENT, by=staff).rating == "excellent"
    with pytest.raises(ValidationError):
        cs.project_rate(project=project, rating="gold", by=staff)


def test_official_cannot_post_a_wish(resident, community):
    official = UserFactory(role=Role.OFFICIAL, scope=community.parent)
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied: officials read only
        cs.wish_post(resident=resident, title="x", by=official)


# --- Admin ---------------------------------------------------------------------------------------------------


def test_admin_lists_only_the_staff_members_own_community(wish, staff, community):
    other = OrganizationFactory(level="community", parent=community.parent)
    outside = MicroWishFactory(title="别的社区的心愿")
    outside.community = other
    outside.save()
    client = Client()
    client.force_login(staff)
    page = client.get("/admin/services/microwish/")
    assert page.status_code == 200
    assert "一台收音机" in page.content.decode() and "别的社区的心愿" not in page.content.decode()
    assert client.get(f"/admin/services/microwish/{outside.pk}/change/").status_code == 302  # not found → redirect


def test_admin_tickets_are_read_only_and_escalation_limits_change_only_for_superusers(community, staff):
    ticket = TicketFactory(community=community, by=staff)
    client = Client()
    client.force_login(staff)
    page = client.get(f"/admin/services/ticket/{ticket.pk}/change/")
    assert page.status_code == 200
    assert 'name="description"' not in page.content.decode()
    assert "13912345678" not in page.content.decode()
    assert client.get("/admin/services/escalationlimit/").status_code == 200
    assert client.get("/admin/services/escalationlimit/add/").status_code == 403
