"""Co-building through /api/v1/: scoped (a unit shared by two communities), liaison limits, 400/403/404/409."""

import datetime
import itertools

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from cobuilding.models import AgendaItem, AgreementStatus, CommitmentItem, ItemStatus, UnitResource, WhistleCall
from notifications.services import notify
from orgs.models import MemberKind
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.cobuilding.factories import (
    AgendaItemFactory,
    AgreementFactory,
    CommitmentItemFactory,
    CommunityNeedFactory,
    EvaluationRatingFactory,
    EvaluationRoundFactory,
    JointMeetingFactory,
    MemberReportFactory,
    ResidentUnitFactory,
    UnitReportFactory,
    WhistleCallFactory,
    WhistleFactory,
    ensure_reported,
    liaison_for,
)
from tests.grids.factories import community_under
from tests.orgs.factories import OrganizationFactory, PartyMemberFactory
from tests.scoped_api import SCOPED_API_CHECKS, ScopedApi, check_name, client_as

pytestmark = pytest.mark.django_db
_seq = itertools.count(1)
TODAY = timezone.localdate()
YEAR = TODAY.year


# --- rows "in org": shared per street so the matrix's many rows do not build a tree each ---------------------


def unit_in(org):
    """The first unit registered with `org` that reports to its community, made on first use."""
    community = community_under(org)
    unit = org.registered_units.order_by("pk").first() or ResidentUnitFactory(registered_with=org)
    ensure_reported(unit, community)
    return unit


def agreement_in(org):
    unit, community = unit_in(org), community_under(org)
    return unit.agreements.filter(community=community).first() or AgreementFactory(unit=unit, community=community)


def meeting_in(org):
    community = community_under(org)
    return community.joint_meetings.first() or JointMeetingFactory(community=community, attending_units=[unit_in(org)])


def round_in(org):
    community = community_under(org)
    return community.evaluation_rounds.first() or EvaluationRoundFactory(organization=community)


def _many(make):
    def make_many(org, count):
        for _ in range(count):
            make(org)

    return make_many


UNITS = ScopedApi(
    url="/api/v1/units/",
    make=lambda org: ResidentUnitFactory(registered_with=org, party_organization=None),
    payload=lambda org: {"name": f"新单位{next(_seq)}", "kind": "school", "registered_with": org.pk},
    update={"name": "改名单位"},
)
UNIT_REPORTS = ScopedApi(
    url="/api/v1/unit-reports/",
    make=lambda org: UnitReportFactory(
        unit=ResidentUnitFactory(registered_with=org, party_organization=None), community=community_under(org)
    ),
    payload=lambda org: {
        "unit": ResidentUnitFactory(registered_with=org, party_organization=None).pk,
        "community": community_under(org).pk,
        "liaison_name": "王联络",
        "liaison_phone": "13900001111",
    },  # fmt: skip
    update={"liaison_name": "李联络"},
)
AGREEMENTS = ScopedApi(
    url="/api/v1/agreements/",
    make=lambda org: AgreementFactory(unit=unit_in(org), community=community_under(org)),
    payload=lambda org: {
        "unit": unit_in(org).pk,
        "community": community_under(org).pk,
        "title": "新协议",
        "starts_on": f"{YEAR}-01-01",
        "ends_on": f"{YEAR}-12-31",
    },  # fmt: skip
    update={"title": "改名协议"},
    make_many=lambda org, n: [
        CommitmentItemFactory.create_batch(
            2, agreement=AgreementFactory(unit=unit_in(org), community=community_under(org))
        )
        for _ in range(n)
    ],  # fmt: skip
)
COMMITMENTS = ScopedApi(
    url="/api/v1/commitments/",
    make=lambda org: CommitmentItemFactory(agreement=agreement_in(org)),
    payload=lambda org: {
        "agreement": agreement_in(org).pk,
        "title": "义诊",
        "kind": "health",
        "target": "6",
        "due_on": f"{YEAR}-10-01",
    },  # fmt: skip
    update={"title": "改名承诺"},
)
MEMBER_REPORTS = ScopedApi(
    url="/api/v1/member-reports/",
    make=lambda org: MemberReportFactory(community=community_under(org), member__organization=community_under(org)),
    payload=lambda org: {
        "member": PartyMemberFactory(kind=MemberKind.IN_SERVICE, organization=community_under(org)).pk,
        "community": community_under(org).pk,
        "service_post": "治安巡逻",
    },  # fmt: skip
    update={"service_post": "环境整治"},
)
MEETINGS = ScopedApi(
    url="/api/v1/meetings/",
    make=lambda org: JointMeetingFactory(community=community_under(org), attending_units=[unit_in(org)]),
    payload=lambda org: {
        "community": community_under(org).pk,
        "held_at": timezone.now().isoformat(),
        "place": "党群服务中心",
        "attending_units": [unit_in(org).pk],
        "items": [{"title": "停车难"}, {"title": "路灯坏"}],
    },  # fmt: skip
    update={"place": "新会议室"},
    make_many=lambda org, n: [
        AgendaItemFactory.create_batch(
            2, meeting=JointMeetingFactory(community=community_under(org), attending_units=[unit_in(org)])
        )
        for _ in range(n)
    ],  # fmt: skip
)
MEETING_ITEMS = ScopedApi(
    url="/api/v1/meeting-items/",
    make=lambda org: AgendaItemFactory(meeting=meeting_in(org)),
    payload=lambda org: {"meeting": meeting_in(org).pk, "title": "新议题"},
    update={"title": "改名议题"},
)
WHISTLES = ScopedApi(
    url="/api/v1/whistles/",
    make=lambda org: WhistleFactory(community=community_under(org)),
    payload=lambda org: {
        "community": community_under(org).pk,
        "title": "管网堵塞",
        "description": "雨污管网堵塞",
        "units": [unit_in(org).pk],
    },  # fmt: skip
    update={"title": "改名事项"},
    make_many=lambda org, n: [
        WhistleCallFactory(whistle=WhistleFactory(community=community_under(org)), unit=unit_in(org)) for _ in range(n)
    ],  # fmt: skip
)
NEEDS = ScopedApi(
    url="/api/v1/needs/",
    make=lambda org: CommunityNeedFactory(community=community_under(org)),
    payload=lambda org: {"community": community_under(org).pk, "title": "场地", "kind": "venue_sharing"},
    update={"title": "改名需求"},
)
RESOURCES = ScopedApi(
    url="/api/v1/resources/",
    make=lambda org: UnitResource.objects.create(unit=unit_in(org), title="会议室", kind="venue_sharing"),
    payload=lambda org: {"unit": unit_in(org).pk, "title": "礼堂", "kind": "venue_sharing"},
    update={"title": "改名资源"},
)
EVALUATIONS = ScopedApi(
    url="/api/v1/evaluations/",
    make=lambda org: EvaluationRoundFactory(organization=community_under(org), year=2000 + next(_seq) % 100),
    payload=lambda org: {
        "organization": community_under(org).pk,
        "year": 2000 + next(_seq) % 100,
        "opens_on": "2024-11-01",
        "closes_on": "2024-12-01",
    },  # fmt: skip
    update={"closes_on": f"{YEAR}-12-30"},
    make_many=lambda org, n: EvaluationRoundFactory.create_batch(
        n, organization=factory.SubFactory(OrganizationFactory, level=Level.COMMUNITY, parent=org)
    ),
)
RATINGS = ScopedApi(
    url="/api/v1/evaluation-ratings/",
    make=lambda org: EvaluationRatingFactory(round=round_in(org), unit=unit_in(org)),
    payload=lambda org: {"round": round_in(org).pk, "unit": unit_in(org).pk, "rater_kind": "party_member", "score": 5},
    update={"score": 2},
)

ENDPOINTS = [
    UNITS, UNIT_REPORTS, AGREEMENTS, COMMITMENTS, MEMBER_REPORTS, MEETINGS, MEETING_ITEMS, WHISTLES, NEEDS,
    RESOURCES, EVALUATIONS, RATINGS,
]  # fmt: skip


@pytest.mark.parametrize("api", ENDPOINTS, ids=lambda api: api.url.split("/")[3])
@pytest.mark.parametrize("check", SCOPED_API_CHECKS, ids=check_name)
def test_cobuilding_api_follows_scope(api, check):
    check(api)


# --- a unit shared by two communities ------------------------------------------------------------------------


@pytest.fixture
def shared():
    """One street, two communities; a unit reporting to both, with one agreement in each."""
    street = OrganizationFactory(level=Level.STREET)
    east = OrganizationFactory(level=Level.COMMUNITY, parent=street, name="东社区")
    west = OrganizationFactory(level=Level.COMMUNITY, parent=street, name="西社区")
    unit = ResidentUnitFactory(registered_with=street)
    other_unit = ResidentUnitFactory(registered_with=street)
    east_agreement = AgreementFactory(unit=unit, community=east)
    west_agreement = AgreementFactory(unit=unit, community=west)
    other_agreement = AgreementFactory(unit=other_unit, community=east)

    class Shared:
        pass

    ns = Shared()
    ns.__dict__.update(locals())
    ns.east_staff = UserFactory(role=Role.STAFF, scope=east)
    ns.west_staff = UserFactory(role=Role.STAFF, scope=west)
    ns.liaison = liaison_for(unit)
    ns.outsider = UserFactory(role=Role.STAFF, scope=OrganizationFactory(level=Level.STREET))
    return ns


def _ids(client, url, **params):
    response = client.get(url, {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_unit_shared_by_two_communities_is_seen_by_both_each_seeing_only_its_own_agreements(shared):
    for staff, own in ((shared.east_staff, shared.east_agreement), (shared.west_staff, shared.west_agreement)):
        client = client_as(staff)
        assert shared.unit.pk in _ids(client, "/api/v1/units/")
        assert client.get(f"/api/v1/units/{shared.unit.pk}/").status_code == 200
        assert _ids(client, "/api/v1/agreements/", unit=shared.unit.pk) == {own.pk}
    west = client_as(shared.west_staff)
    assert west.get(f"/api/v1/agreements/{shared.east_agreement.pk}/").status_code == 404


def test_liaison_sees_only_their_units_records(shared):
    client = client_as(shared.liaison)
    assert _ids(client, "/api/v1/units/") == {shared.unit.pk}
    assert _ids(client, "/api/v1/agreements/") == {shared.east_agreement.pk, shared.west_agreement.pk}
    assert client.get(f"/api/v1/agreements/{shared.other_agreement.pk}/").status_code == 404
    assert client.get(f"/api/v1/units/{shared.other_unit.pk}/").status_code == 404


def test_outsider_gets_404_for_the_unit_and_its_agreements(shared):
    client = client_as(shared.outsider)
    assert client.get(f"/api/v1/units/{shared.unit.pk}/").status_code == 404
    assert client.get(f"/api/v1/agreements/{shared.east_agreement.pk}/").status_code == 404
    assert client.get(f"/api/v1/units/{shared.unit.pk}/yearly/", {"year": YEAR}).status_code == 404


def test_agreement_list_nests_items_with_fulfilled_share(shared):
    items = CommitmentItemFactory.create_batch(3, agreement=shared.east_agreement)
    for item in items[:2]:
        item.verified_at = timezone.now()
        item.save()
    row = client_as(shared.east_staff).get(f"/api/v1/agreements/{shared.east_agreement.pk}/").json()
    assert (row["items_total"], row["items_fulfilled"], row["fulfilled_share"]) == (3, 2, 0.6667)
    assert [i["id"] for i in row["items"]] == [i.pk for i in items]


# --- bad input -----------------------------------------------------------------------------------------------


def test_agreement_ending_before_it_starts_is_refused_on_ends_on(shared):
    body = {"unit": shared.unit.pk, "community": shared.east.pk, "title": "倒置", "starts_on": "2025-06-01",
            "ends_on": "2025-01-01"}  # fmt: skip
    response = client_as(shared.east_staff).post("/api/v1/agreements/", body, format="json")
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.json()["ends_on"][0]


@pytest.mark.parametrize("target", ["0", "-3"])
def test_commitment_with_zero_or_negative_target_is_refused_on_target(shared, target):
    body = {"agreement": shared.east_agreement.pk, "title": "x", "kind": "health", "target": target,
            "due_on": f"{YEAR}-10-01"}  # fmt: skip
    response = client_as(shared.east_staff).post("/api/v1/commitments/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"target"}
    assert not CommitmentItem.objects.filter(title="x").exists()


def test_progress_with_negative_amount_is_refused_on_amount(shared):
    item = CommitmentItemFactory(agreement=shared.east_agreement)
    response = client_as(shared.liaison).post(f"/api/v1/commitments/{item.pk}/progress/", {"amount": "-1"})
    assert response.status_code == 400
    assert "amount" in response.json()


def test_yearly_figures_without_a_year_are_refused_on_year(shared):
    response = client_as(shared.east_staff).get(f"/api/v1/units/{shared.unit.pk}/yearly/")
    assert response.status_code == 400
    assert "year" in response.json()


# --- liaisons: what a unit may do and what it may not ------------------------------------------------------


def test_liaison_records_commitment_progress_but_cannot_verify(shared):
    item = CommitmentItemFactory(agreement=shared.east_agreement, target=4)
    client = client_as(shared.liaison)
    response = client.post(f"/api/v1/commitments/{item.pk}/progress/", {"amount": "3", "note": "开展两次"})
    assert response.status_code == 201, response.content
    assert response.json()["progress_total"] == "3.00"
    assert response.json()["is_fulfilled"] is False
    assert client.post(f"/api/v1/commitments/{item.pk}/verify/").status_code == 403
    verified = client_as(shared.east_staff).post(f"/api/v1/commitments/{item.pk}/verify/")
    assert verified.status_code == 200
    assert verified.json()["is_fulfilled"] is True


def test_liaison_cannot_activate_agreements_or_blow_whistles(shared):
    draft = AgreementFactory(unit=shared.unit, community=shared.east, status="draft", signed_on=None)
    client = client_as(shared.liaison)
    response = client.post(f"/api/v1/agreements/{draft.pk}/activate/", {"signed_on": str(TODAY)})
    assert response.status_code == 403
    body = {"community": shared.east.pk, "title": "t", "description": "d", "units": [shared.unit.pk]}
    assert client.post("/api/v1/whistles/", body, format="json").status_code == 403
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT


def test_staff_activates_a_draft_and_activating_again_is_a_conflict(shared):
    draft = AgreementFactory(unit=shared.unit, community=shared.east, status="draft", signed_on=None)
    client = client_as(shared.east_staff)
    response = client.post(f"/api/v1/agreements/{draft.pk}/activate/", {"signed_on": str(TODAY)})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    again = client.post(f"/api/v1/agreements/{draft.pk}/activate/", {"signed_on": str(TODAY)})
    assert again.status_code == 409
    terminated = client.post(f"/api/v1/agreements/{draft.pk}/terminate/", {"reason": "单位搬迁"})
    assert terminated.json()["status"] == "terminated"


def test_liaison_claims_an_item_and_reports_progress(shared):
    meeting = JointMeetingFactory(community=shared.east, attending_units=[shared.unit])
    item = AgendaItemFactory(meeting=meeting)
    client = client_as(shared.liaison)
    due = str(TODAY + datetime.timedelta(days=30))
    claimed = client.post(f"/api/v1/meeting-items/{item.pk}/claim/", {"due_on": due})
    assert claimed.status_code == 200, claimed.content
    assert (claimed.json()["status"], claimed.json()["claimed_by"]) == ("claimed", shared.unit.pk)
    progress = client.post(f"/api/v1/meeting-items/{item.pk}/progress/", {"note": "已联系施工队"})
    assert progress.status_code == 201
    assert progress.json()["status"] == ItemStatus.IN_PROGRESS
    assert client.post(f"/api/v1/meeting-items/{item.pk}/close/").status_code == 403


def test_claim_by_a_unit_not_attending_is_refused_on_unit(shared):
    meeting = JointMeetingFactory(community=shared.east, attending_units=[shared.unit])
    item = AgendaItemFactory(meeting=meeting)
    body = {"unit": shared.other_unit.pk, "due_on": str(TODAY + datetime.timedelta(days=5))}
    response = client_as(shared.east_staff).post(f"/api/v1/meeting-items/{item.pk}/claim/", body)
    assert response.status_code == 400
    assert "参会单位" in response.json()["unit"][0]
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_closing_a_closed_item_is_a_conflict(shared):
    item = AgendaItemFactory(meeting=JointMeetingFactory(community=shared.east))
    client = client_as(shared.east_staff)
    assert client.post(f"/api/v1/meeting-items/{item.pk}/close/").status_code == 200
    response = client.post(f"/api/v1/meeting-items/{item.pk}/close/")
    assert response.status_code == 409
    assert "已办结" in response.json()["detail"]


def test_liaison_acknowledges_and_responds_to_their_whistle_call_only(shared):
    whistle = WhistleFactory(community=shared.east)
    own = WhistleCallFactory(whistle=whistle, unit=shared.unit)
    other = WhistleCallFactory(whistle=whistle, unit=shared.other_unit)
    client = client_as(shared.liaison)
    assert client.post(f"/api/v1/whistle-calls/{own.pk}/acknowledge/").json()["status"] == "acknowledged"
    responded = client.post(f"/api/v1/whistle-calls/{own.pk}/respond/", {"response": "已派人疏通"})
    assert responded.json()["status"] == "responded"
    assert client.post(f"/api/v1/whistle-calls/{other.pk}/respond/", {"response": "x"}).status_code == 404
    assert client.post(f"/api/v1/whistle-calls/{own.pk}/respond/", {"response": "又答"}).status_code == 409


def test_whistle_blown_through_the_api_calls_each_unit(shared):
    body = {"community": shared.east.pk, "title": "管网堵塞", "description": "雨污管网堵塞",
            "units": [shared.unit.pk, shared.other_unit.pk], "acknowledge_hours": 2, "respond_hours": 24}  # fmt: skip
    response = client_as(shared.east_staff).post("/api/v1/whistles/", body, format="json")
    assert response.status_code == 201, response.content
    calls = response.json()["calls"]
    assert {c["unit"] for c in calls} == {shared.unit.pk, shared.other_unit.pk}
    assert WhistleCall.objects.filter(whistle_id=response.json()["id"], status="pending").count() == 2


def test_need_matched_to_an_agreement_becomes_its_commitment(shared):
    need = CommunityNeedFactory(community=shared.east)
    body = {"agreement": shared.east_agreement.pk, "target": "2", "due_on": f"{YEAR}-12-01"}
    response = client_as(shared.east_staff).post(f"/api/v1/needs/{need.pk}/match/", body)
    assert response.status_code == 201, response.content
    assert response.json()["agreement"] == shared.east_agreement.pk
    assert response.json()["source_need"] == need.pk
    assert client_as(shared.east_staff).get(f"/api/v1/needs/{need.pk}/").json()["status"] == "matched"


def test_unit_fetches_its_members_feedback_given_by_the_community(shared):
    report = MemberReportFactory(community=shared.east, member__organization=shared.unit.party_organization)
    staff = client_as(shared.east_staff)
    given = staff.post(f"/api/v1/member-reports/{report.pk}/feedback/", {"year": YEAR, "rating": "excellent"})
    assert given.status_code == 201, given.content
    fetched = client_as(shared.liaison).get(f"/api/v1/member-reports/{report.pk}/feedback/")
    assert [(f["year"], f["rating"]) for f in fetched.json()] == [(YEAR, "excellent")]
    assert (
        client_as(shared.liaison)
        .post(f"/api/v1/member-reports/{report.pk}/feedback/", {"year": YEAR - 1, "rating": "good"})
        .status_code
        == 403
    )


def test_member_report_phone_is_masked(shared):
    report = MemberReportFactory(community=shared.east, member__phone="13912345678")
    row = client_as(shared.east_staff).get(f"/api/v1/member-reports/{report.pk}/").json()
    assert row["member_phone"] == "139****5678"


# --- joint meeting: the "done when" ------------------------------------------------------------------


def test_meeting_with_three_items_a_claim_and_carry_over_to_the_next(shared):
    staff = client_as(shared.east_staff)
    first = staff.post("/api/v1/meetings/", {
        "community": shared.east.pk, "held_at": (timezone.now() - datetime.timedelta(days=30)).isoformat(),
        "place": "党群服务中心", "attending_units": [shared.unit.pk],
        "items": [{"title": "停车难"}, {"title": "路灯坏"}, {"title": "垃圾分类"}],
    }, format="json")  # fmt: skip
    assert first.status_code == 201, first.content
    items = {i["title"]: i["id"] for i in first.json()["items"]}
    due = str(TODAY + datetime.timedelta(days=20))
    claim = client_as(shared.liaison).post(f"/api/v1/meeting-items/{items['停车难']}/claim/", {"due_on": due})
    assert claim.status_code == 200, claim.content
    assert staff.post(f"/api/v1/meeting-items/{items['路灯坏']}/close/").status_code == 200

    second = staff.post("/api/v1/meetings/", {
        "community": shared.east.pk, "held_at": timezone.now().isoformat(), "place": "会议室",
        "attending_units": [shared.unit.pk], "items": [],
    }, format="json")  # fmt: skip
    carried = {i["title"]: i for i in second.json()["items"]}
    assert set(carried) == {"停车难", "垃圾分类"}
    assert all(i["is_carried_over"] for i in carried.values())
    assert (carried["停车难"]["status"], carried["停车难"]["claimed_by"]) == ("claimed", shared.unit.pk)
    assert AgendaItem.objects.filter(meeting_id=second.json()["id"]).count() == 2


# --- the integrator's yearly fetch: the "done when" -------------------------------------------------


def test_integrator_fetches_a_units_yearly_share_points_evaluation_and_feedback(shared):
    items = CommitmentItemFactory.create_batch(3, agreement=shared.east_agreement)
    for item in items[:2]:
        item.verified_at = timezone.now()
        item.save()
    now = timezone.now()
    WhistleCallFactory(whistle=WhistleFactory(community=shared.east), unit=shared.unit, acknowledged_at=now,
                       responded_at=now, status="responded")  # fmt: skip
    round_ = EvaluationRoundFactory(organization=shared.east, year=YEAR)
    for score, kind in ((5, "resident"), (4, "resident"), (4, "party_member")):
        EvaluationRatingFactory(round=round_, unit=shared.unit, score=score, rater_kind=kind)
    report = MemberReportFactory(community=shared.east, member__organization=shared.unit.party_organization)
    report.feedback.create(year=YEAR, rating="good")
    integrator = UserFactory(role=Role.INTEGRATOR, scope=shared.street)

    response = client_as(integrator).get(f"/api/v1/units/{shared.unit.pk}/yearly/", {"year": YEAR})

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["commitments"] == {"items_total": 3, "items_fulfilled": 2, "fulfilled_share": 0.6667}
    assert (data["whistles"]["calls"], data["whistles"]["on_time"], data["whistles"]["points"]) == (1, 1, 12)
    assert data["evaluation"] == {
        "average_score": 4.33,
        "responses": 3,
        "resident_responses": 2,
        "party_member_responses": 1,
    }
    assert data["members"]["members_reported"] == 1
    assert data["members"]["feedback_by_rating"]["good"] == 1
    results = client_as(integrator).get(f"/api/v1/evaluations/{round_.pk}/results/").json()["results"]
    assert [(r["unit"], r["average_score"], r["responses"]) for r in results] == [(shared.unit.pk, 4.33, 3)]


def test_yearly_report_downloads_as_xlsx(shared):
    response = client_as(shared.east_staff).get(f"/api/v1/units/{shared.unit.pk}/yearly-report/", {"year": YEAR})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


# --- constant queries for lists that the matrix does not cover --------------------------------------------


def _query_counts(client, url) -> dict:
    counts = {}
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)
    return counts


def test_whistle_call_list_runs_constant_queries(shared):
    for _ in range(55):
        WhistleCallFactory(whistle=WhistleFactory(community=shared.east), unit=shared.unit)
    counts = _query_counts(client_as(shared.liaison), "/api/v1/whistle-calls/")
    assert counts[5] == counts[50]


def test_liaison_lists_run_constant_queries(shared):
    for _ in range(55):
        CommitmentItemFactory(agreement=shared.east_agreement)
        JointMeetingFactory(community=shared.east, attending_units=[shared.unit])
    client = client_as(shared.liaison)
    for url in ("/api/v1/commitments/", "/api/v1/meetings/"):
        counts = _query_counts(client, url)
        assert counts[5] == counts[50], url


# --- notifications -------------------------------------------------------------------------------------------


def test_notifications_are_the_users_own_with_unread_count_and_mark_read(shared):
    for n in range(55):
        notify(recipients=[shared.liaison], kind="test", title=f"通知{n}", dedup_key=f"k{n}")
    notify(recipients=[shared.east_staff], kind="test", title="别人的", dedup_key="other")
    client = client_as(shared.liaison)
    counts = _query_counts(client, "/api/v1/notifications/")
    assert counts[5] == counts[50]
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 55}
    first = client.get("/api/v1/notifications/").json()["results"][0]
    assert client.post(f"/api/v1/notifications/{first['id']}/read/").json()["is_read"] is True
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 54}
    assert client.post("/api/v1/notifications/mark-read/", {}, format="json").json() == {"marked": 54}
    others = client_as(shared.east_staff).get("/api/v1/notifications/").json()["results"]
    assert [n["title"] for n in others] == ["别人的"]
    official = UserFactory(role=Role.OFFICIAL, scope=shared.street)
    assert client_as(official).post("/api/v1/notifications/mark-read/", {}, format="json").status_code == 200


def test_second_active_report_of_a_unit_to_one_community_is_refused(shared):
    body = {"unit": shared.unit.pk, "community": shared.east.pk, "liaison_name": "重复"}
    response = client_as(shared.east_staff).post("/api/v1/unit-reports/", body, format="json")
    assert response.status_code == 400
    assert "已向此社区报到" in str(response.json())


# --- admin (staff's other door to the same services) -----------------------------------------------------------


def test_admin_pages_load_and_a_new_meeting_saved_in_admin_carries_items_over(shared, client):
    old = JointMeetingFactory(community=shared.east, held_at=timezone.now() - datetime.timedelta(days=40))
    AgendaItemFactory(meeting=old, title="未办结议题")
    client.force_login(shared.east_staff)
    for model in ("residentunit", "cobuildingagreement", "commitmentitem", "memberreport", "jointmeeting",
                  "whistle", "communityneed", "unitresource", "deputyduty", "evaluationround"):  # fmt: skip
        assert client.get(f"/admin/cobuilding/{model}/").status_code == 200, model
    assert client.get("/admin/notifications/notification/").status_code == 200
    now = timezone.localtime()
    response = client.post("/admin/cobuilding/jointmeeting/add/", {
        "community": shared.east.pk, "held_at_0": now.strftime("%Y-%m-%d"), "held_at_1": now.strftime("%H:%M:%S"),
        "place": "会议室", "minutes": "", "attending_units": [shared.unit.pk],
        "items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "1000",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    new = shared.east.joint_meetings.exclude(pk=old.pk).get()
    assert [(i.title, i.is_carried_over) for i in new.items.all()] == [("未办结议题", True)]


def test_admin_verify_action_makes_items_fulfilled(shared, client):
    items = CommitmentItemFactory.create_batch(2, agreement=shared.east_agreement)
    client.force_login(shared.east_staff)
    response = client.post("/admin/cobuilding/commitmentitem/", {
        "action": "verify_selected", "_selected_action": [i.pk for i in items],
    })  # fmt: skip
    assert response.status_code == 302
    assert CommitmentItem.objects.filter(pk__in=[i.pk for i in items], verified_at__isnull=False).count() == 2
