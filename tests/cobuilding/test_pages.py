"""Unit liaison pages: a liaison sees and acts for their own unit only, and every write goes through a service."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cobuilding.models import AgendaItemProgress, CallStatus, CommitmentProgress, ItemStatus, WhistleCall
from cobuilding.services import item_claim
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.cobuilding.factories import (
    AgendaItemFactory,
    AgreementFactory,
    CommitmentItemFactory,
    EvaluationRatingFactory,
    EvaluationRoundFactory,
    JointMeetingFactory,
    MemberReportFactory,
    ResidentUnitFactory,
    WhistleCallFactory,
    WhistleFactory,
    ensure_reported,
    liaison_for,
)
from tests.orgs.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def unit():
    return ResidentUnitFactory(name="宁国市人民医院")


@pytest.fixture
def community(unit):
    return OrganizationFactory(level=Level.COMMUNITY, name="西津社区", parent=unit.registered_with)


@pytest.fixture
def liaison(unit):
    return liaison_for(unit, username="liaison", first_name="李联络")


@pytest.fixture
def other_unit(community):
    other = ResidentUnitFactory(name="宁国市第二中学", registered_with=community.parent)
    ensure_reported(other, community)
    return other


@pytest.fixture
def staff(community):
    return UserFactory(role=Role.STAFF, scope=community, username="staff")


@pytest.fixture
def meeting(unit, community):
    return JointMeetingFactory(community=community, attending_units=[unit])


def logged_in(client, user):
    client.force_login(user)
    return client


# --- landing and scoping ----------------------------------------------------------------------------------------


def test_liaison_lands_on_their_units_page(client, liaison, unit):
    response = logged_in(client, liaison).get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("unit:unit", args=[unit.pk])
    assert "宁国市人民医院" in response.content.decode()


def test_grid_worker_landing_still_goes_to_the_grid_pages(client):
    worker = UserFactory(role=Role.GRID_WORKER)
    response = logged_in(client, worker).get("/")
    assert response.url == reverse("grid:home")


def test_unit_page_shows_own_agreements_with_fulfilled_share(client, liaison, unit, community, other_unit):
    agreement = AgreementFactory(unit=unit, community=community, title="医院共建协议")
    CommitmentItemFactory(agreement=agreement, verified_at=timezone.now())
    CommitmentItemFactory.create_batch(2, agreement=agreement)
    AgreementFactory(unit=other_unit, community=community, title="中学共建协议")

    response = logged_in(client, liaison).get(reverse("unit:unit", args=[unit.pk]))

    page = response.content.decode()
    assert "医院共建协议" in page
    assert "已兑现 1 / 3 项（33%）" in page
    assert "中学共建协议" not in page


def test_unit_page_shows_members_reported_whistle_points_and_evaluations(client, liaison, unit, community):
    MemberReportFactory.create_batch(2, community=community, member__organization=unit.party_organization)
    MemberReportFactory(community=community)  # another organization's member
    rating_round = EvaluationRoundFactory(organization=community, year=2025)
    EvaluationRatingFactory(round=rating_round, unit=unit, score=5)
    EvaluationRatingFactory(round=rating_round, unit=unit, score=4)
    now = timezone.now()
    WhistleCallFactory(unit=unit, status=CallStatus.RESPONDED, acknowledged_at=now, responded_at=now)

    response = logged_in(client, liaison).get(reverse("unit:unit", args=[unit.pk]))

    page = response.content.decode()
    assert '<dd id="members-reported">2 人</dd>' in page
    assert "<td>2025</td><td>4.50</td><td>2</td>" in page
    assert "被叫 1 次，按时答复 1 次，超时答复 0 次，积分 12" in page


def test_liaison_gets_404_for_another_units_pages(client, liaison, other_unit, community):
    agreement = AgreementFactory(unit=other_unit, community=community)
    commitment = CommitmentItemFactory(agreement=agreement)
    their_meeting = JointMeetingFactory(community=community, attending_units=[other_unit])
    item = AgendaItemFactory(meeting=their_meeting)
    call = WhistleCallFactory(unit=other_unit, whistle=WhistleFactory(community=community))
    client = logged_in(client, liaison)

    for url in (
        reverse("unit:unit", args=[other_unit.pk]),
        reverse("unit:agreement", args=[agreement.pk]),
        reverse("unit:commitment-progress", args=[commitment.pk]),
        reverse("unit:meeting", args=[their_meeting.pk]),
        reverse("unit:item", args=[item.pk]),
        reverse("unit:whistle", args=[call.whistle_id]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("unit:item", args=[item.pk]), {"due_on": TOMORROW}).status_code == 404
    assert client.post(reverse("unit:call-respond", args=[call.pk]), {"response": "好"}).status_code == 404
    assert client.post(reverse("unit:commitment-progress", args=[commitment.pk]), {"amount": "1"}).status_code == 404
    assert not CommitmentProgress.objects.exists()


def test_liaison_sees_only_meetings_their_unit_attends(client, liaison, meeting, other_unit, community):
    JointMeetingFactory(community=community, attending_units=[other_unit], place="别人的会议室")

    response = logged_in(client, liaison).get(reverse("unit:meetings"))

    assert list(response.context["object_list"]) == [meeting]
    assert "别人的会议室" not in response.content.decode()


def test_liaison_sees_only_calls_on_their_unit_and_overdue_ones_highlighted(client, liaison, unit, other_unit):
    late = WhistleCallFactory(
        unit=unit,
        whistle__title="雨污管网堵塞",
        acknowledge_by=timezone.now() - datetime.timedelta(hours=2),
        respond_by=timezone.now() + datetime.timedelta(days=1),
    )
    WhistleCallFactory(unit=unit, whistle__title="路灯不亮")
    WhistleCallFactory(unit=other_unit, whistle__title="别人的吹哨")

    response = logged_in(client, liaison).get(reverse("unit:whistles"))

    page = response.content.decode()
    assert "雨污管网堵塞" in page and "路灯不亮" in page
    assert "别人的吹哨" not in page
    assert f'class="call late" id="call-{late.pk}"' in page
    assert page.count("已超期") == 1


def test_community_staff_open_a_units_page_but_see_only_their_own_agreements(client, unit, community, staff):
    neighbour = OrganizationFactory(level=Level.COMMUNITY, name="东城社区", parent=unit.registered_with)
    AgreementFactory(unit=unit, community=community, title="西津协议")
    AgreementFactory(unit=unit, community=neighbour, title="东城协议")

    response = logged_in(client, staff).get(reverse("unit:unit", args=[unit.pk]))

    page = response.content.decode()
    assert "西津协议" in page and "东城协议" not in page


# --- meeting items ------------------------------------------------------------------------------------------------


def test_liaison_claims_an_item_with_a_due_date(client, liaison, unit, meeting):
    item = AgendaItemFactory(meeting=meeting, title="小区停车难")

    response = logged_in(client, liaison).post(reverse("unit:item", args=[item.pk]), {"due_on": TOMORROW})

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.claimed_by, item.due_on) == (ItemStatus.CLAIMED, unit, TOMORROW)


def test_claim_through_htmx_answers_with_the_refreshed_item(client, liaison, meeting):
    item = AgendaItemFactory(meeting=meeting)

    response = logged_in(client, liaison).post(
        reverse("unit:item", args=[item.pk]), {"due_on": TOMORROW}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert page.lstrip().startswith(f'<li class="item-card" id="item-{item.pk}">')
    assert 'data-status="claimed"' in page
    assert 'name="note"' in page  # the progress form replaces the claim form


def test_claim_for_a_unit_not_attending_is_refused_with_the_message(client, staff, meeting, other_unit):
    item = AgendaItemFactory(meeting=meeting)

    response = logged_in(client, staff).post(
        reverse("unit:item", args=[item.pk]), {"due_on": TOMORROW, "unit": other_unit.pk}
    )

    assert response.status_code == 200
    assert "只有参会单位可以认领该议题。" in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.claimed_by_id, item.due_on) == (ItemStatus.OPEN, None, None)


def test_claim_of_an_item_already_claimed_shows_the_services_message(client, liaison, unit, meeting, staff):
    item = AgendaItemFactory(meeting=meeting)
    item_claim(item=item, unit=unit, due_on=TOMORROW, by=staff)

    response = logged_in(client, liaison).post(
        reverse("unit:item", args=[item.pk]), {"due_on": TOMORROW + datetime.timedelta(days=5)}
    )

    assert "不能从“已认领”变为“已认领”。" in response.content.decode()
    item.refresh_from_db()
    assert item.due_on == TOMORROW


@pytest.mark.parametrize(
    ("due_on", "message"), [("", "请填写承诺完成日期。"), ("2020-01-01", "承诺完成日期不能早于今天。")]
)
def test_claim_with_a_bad_due_date_shows_the_error(client, liaison, meeting, due_on, message):
    item = AgendaItemFactory(meeting=meeting)

    response = logged_in(client, liaison).post(reverse("unit:item", args=[item.pk]), {"due_on": due_on})

    assert message in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_official_cannot_claim(client, meeting, community):
    official = UserFactory(role=Role.OFFICIAL, scope=community)
    item = AgendaItemFactory(meeting=meeting)

    response = logged_in(client, official).post(reverse("unit:item", args=[item.pk]), {"due_on": TOMORROW})

    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_progress_on_a_claimed_item_moves_it_to_in_progress(client, liaison, unit, meeting):
    item = AgendaItemFactory(meeting=meeting)
    item_claim(item=item, unit=unit, due_on=TOMORROW, by=liaison)

    response = logged_in(client, liaison).post(
        reverse("unit:item-progress", args=[item.pk]), {"note": "已协调停车位 20 个"}, HTTP_HX_REQUEST="true"
    )

    assert 'data-status="in_progress"' in response.content.decode()
    assert "已协调停车位 20 个" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS


def test_empty_progress_note_is_refused_with_the_message(client, liaison, unit, meeting):
    item = AgendaItemFactory(meeting=meeting)
    item_claim(item=item, unit=unit, due_on=TOMORROW, by=liaison)

    response = logged_in(client, liaison).post(reverse("unit:item-progress", args=[item.pk]), {"note": "  "})

    assert "请填写进展说明。" in response.content.decode()
    assert not AgendaItemProgress.objects.exists()


def test_carried_over_items_are_marked(client, liaison, meeting):
    earlier = AgendaItemFactory(meeting=JointMeetingFactory(community=meeting.community))
    AgendaItemFactory(meeting=meeting, title="转入的议题", carried_from=earlier)
    AgendaItemFactory(meeting=meeting, title="新的议题")

    page = logged_in(client, liaison).get(reverse("unit:meeting", args=[meeting.pk])).content.decode()

    assert page.count("上次会议转入") == 1
    assert page.index("转入的议题") < page.index("上次会议转入") < page.index("新的议题")


# --- commitments --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "完成数量须大于 0。"),
        ("-3", "完成数量须大于 0。"),
        ("三次", "完成数量须是数字。"),
        ("", "请填写完成数量。"),
    ],
)
def test_bad_progress_amount_redisplays_the_form_with_a_chinese_error(client, liaison, unit, amount, message):
    item = CommitmentItemFactory(agreement=AgreementFactory(unit=unit))

    response = logged_in(client, liaison).post(
        reverse("unit:commitment-progress", args=[item.pk]), {"amount": amount, "reported_on": timezone.localdate()}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'data-field="amount"' in response.content.decode()
    assert not CommitmentProgress.objects.exists()


def test_progress_on_a_commitment_is_recorded(client, liaison, unit):
    item = CommitmentItemFactory(agreement=AgreementFactory(unit=unit), target=Decimal("4"))

    response = logged_in(client, liaison).post(
        reverse("unit:commitment-progress", args=[item.pk]),
        {"amount": "1.5", "reported_on": timezone.localdate(), "note": "义诊一次"},
    )

    assert response.url == reverse("unit:agreement", args=[item.agreement_id])
    entry = CommitmentProgress.objects.get()
    assert (entry.item, entry.amount, entry.reported_by) == (item, Decimal("1.5"), liaison)
    page = client.get(response.url).content.decode()
    assert "进度 1.50 / 4 次" in page


def test_progress_on_an_expired_agreement_shows_the_services_message(client, liaison, unit):
    item = CommitmentItemFactory(agreement=AgreementFactory(unit=unit, status="expired"))

    response = logged_in(client, liaison).post(
        reverse("unit:commitment-progress", args=[item.pk]), {"amount": "1", "reported_on": timezone.localdate()}
    )

    assert "只有生效中的协议才能填报进展。" in response.content.decode()
    assert not CommitmentProgress.objects.exists()


def test_community_staff_verify_a_commitment_and_a_liaison_cannot(client, liaison, unit, community, staff):
    item = CommitmentItemFactory(agreement=AgreementFactory(unit=unit, community=community))
    url = reverse("unit:commitment-verify", args=[item.pk])

    assert logged_in(client, liaison).post(url).status_code == 403
    item.refresh_from_db()
    assert item.verified_at is None

    logged_in(client, staff).post(url)
    item.refresh_from_db()
    assert item.verified_by == staff


# --- whistles -----------------------------------------------------------------------------------------------------


def test_liaison_acknowledges_then_responds_to_a_call(client, liaison, unit):
    call = WhistleCallFactory(unit=unit)
    client = logged_in(client, liaison)

    client.post(reverse("unit:call-acknowledge", args=[call.pk]))
    call.refresh_from_db()
    assert call.status == CallStatus.ACKNOWLEDGED and call.acknowledged_at is not None

    response = client.post(reverse("unit:call-respond", args=[call.pk]), {"response": "已派人疏通"})
    assert response.url == reverse("unit:whistle", args=[call.whistle_id])
    call.refresh_from_db()
    assert (call.status, call.response) == (CallStatus.RESPONDED, "已派人疏通")


def test_empty_response_is_refused_with_the_message(client, liaison, unit):
    call = WhistleCallFactory(unit=unit)

    response = logged_in(client, liaison).post(reverse("unit:call-respond", args=[call.pk]), {"response": ""})

    assert response.status_code == 200
    assert "请填写答复内容。" in response.content.decode()
    assert WhistleCall.objects.get().status == CallStatus.PENDING


def test_whistle_page_shows_only_the_liaisons_own_call(client, liaison, unit, other_unit):
    call = WhistleCallFactory(unit=unit)
    WhistleCallFactory(unit=other_unit, whistle=call.whistle)

    response = logged_in(client, liaison).get(reverse("unit:whistle", args=[call.whistle_id]))

    assert [c.pk for c in response.context["calls"]] == [call.pk]
    assert "宁国市第二中学" not in response.content.decode()


# --- constant queries ---------------------------------------------------------------------------------------------


def _fill(unit, community, n: int) -> None:
    for _ in range(n):
        agreement = AgreementFactory(unit=unit, community=community)
        CommitmentItemFactory.create_batch(2, agreement=agreement)
        meeting = JointMeetingFactory(community=community, attending_units=[unit])
        for item in AgendaItemFactory.create_batch(2, meeting=meeting):
            AgendaItemProgress.objects.create(item=item, note="进展", reported_by=UserFactory())
        WhistleCallFactory(unit=unit, whistle=WhistleFactory(community=community))


@pytest.mark.parametrize("page", ["unit", "meetings", "meeting", "whistles", "agreement"])
def test_list_pages_run_a_constant_number_of_queries(
    client, liaison, unit, community, page, django_assert_max_num_queries
):
    client = logged_in(client, liaison)

    def url():
        first_meeting = unit.meetings.order_by("id").first()
        first_agreement = unit.agreements.order_by("id").first()
        return {
            "unit": reverse("unit:unit", args=[unit.pk]),
            "meetings": reverse("unit:meetings"),
            "meeting": reverse("unit:meeting", args=[first_meeting.pk]),
            "whistles": reverse("unit:whistles"),
            "agreement": reverse("unit:agreement", args=[first_agreement.pk]),
        }[page]

    _fill(unit, community, 1)
    with django_assert_max_num_queries(50) as few:
        assert client.get(url()).status_code == 200
    AgendaItemFactory.create_batch(5, meeting=unit.meetings.order_by("id").first())
    CommitmentItemFactory.create_batch(5, agreement=unit.agreements.order_by("id").first())
    _fill(unit, community, 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url()).status_code == 200
