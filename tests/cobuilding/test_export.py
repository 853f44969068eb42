"""The unit's yearly report (述职考评材料) as xlsx: opens with openpyxl, carries the figures, phones masked."""

import io

import openpyxl
import pytest
from django.utils import timezone

from accounts.models import Role
from cobuilding.exports import unit_yearly_report_xlsx
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.cobuilding.factories import (
    AgreementFactory,
    CommitmentItemFactory,
    EvaluationRatingFactory,
    EvaluationRoundFactory,
    MemberReportFactory,
    ResidentUnitFactory,
    WhistleCallFactory,
    WhistleFactory,
    liaison_for,
)
from tests.orgs.factories import OrganizationFactory
from tests.scoped_api import client_as

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def report_book():
    street = OrganizationFactory(level=Level.STREET)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street, name="西津社区")
    unit = ResidentUnitFactory(registered_with=street, name="宁国市人民医院", contact_phone="13911112222")
    agreement = AgreementFactory(unit=unit, community=community, title="医院社区共建协议")
    items = CommitmentItemFactory.create_batch(3, agreement=agreement)
    for item in items[:2]:
        item.verified_at = timezone.now()
        item.save()
    report = MemberReportFactory(
        community=community, member__organization=unit.party_organization, member__name="张医生",
        member__phone="13733334444",
    )  # fmt: skip
    report.feedback.create(year=YEAR, rating="excellent", comment="义诊积极")
    now = timezone.now()
    WhistleCallFactory(whistle=WhistleFactory(community=community, title="发热门诊排队"), unit=unit,
                       acknowledged_at=now, responded_at=now, status="responded")  # fmt: skip
    round_ = EvaluationRoundFactory(organization=community)
    EvaluationRatingFactory(round=round_, unit=unit, score=5)
    EvaluationRatingFactory(round=round_, unit=unit, score=4, rater_kind="party_member")
    staff = UserFactory(role=Role.STAFF, scope=street)
    content = unit_yearly_report_xlsx(unit=unit, year=YEAR, fetched_by=staff)
    return openpyxl.load_workbook(io.BytesIO(content)), unit


def _values(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_yearly_report_has_one_sheet_per_part_of_the_review(report_book):
    book, _unit = report_book
    assert book.sheetnames == ["概况", "共建协议", "承诺事项", "在职党员报到", "吹哨响应", "民主评议"]


def test_yearly_report_summary_carries_share_points_feedback_and_evaluation(report_book):
    book, _unit = report_book
    summary = {row[0]: row[1] for row in _values(book["概况"])[1:]}
    assert summary["单位名称"] == "宁国市人民医院"
    assert summary["履约率"] == "66.67%"
    assert (summary["年度到期承诺事项"], summary["已核实完成"]) == (3, 2)
    assert summary["在职党员报到人数"] == 1
    assert summary["社区评价：优秀"] == 1
    assert summary["吹哨响应积分"] == 12
    assert (summary["民主评议平均分"], summary["民主评议人次"]) == (4.5, 2)


def test_yearly_report_masks_every_phone(report_book):
    book, _unit = report_book
    summary = {row[0]: row[1] for row in _values(book["概况"])[1:]}
    assert summary["联系电话"] == "139****2222"
    header, member = _values(book["在职党员报到"])
    assert member[:2] == ("张医生", "137****4444")
    assert member[5:] == ("优秀", "义诊积极")
    everything = " ".join(str(v) for name in book.sheetnames for row in _values(book[name]) for v in row)
    assert "13911112222" not in everything and "13733334444" not in everything


def test_yearly_report_lists_agreements_and_whistle_responses(report_book):
    book, _unit = report_book
    agreement = _values(book["共建协议"])[1]
    assert (agreement[0], agreement[1], agreement[5], agreement[6], agreement[7]) == (
        "医院社区共建协议", "西津社区", 3, 2, "66.67%",
    )  # fmt: skip
    call = _values(book["吹哨响应"])[1]
    assert (call[0], call[-2], call[-1]) == ("发热门诊排队", "已答复", 12)


def test_liaison_downloads_their_own_units_report_but_not_anothers():
    unit, other = ResidentUnitFactory(), ResidentUnitFactory()
    client = client_as(liaison_for(unit))
    response = client.get(f"/api/v1/units/{unit.pk}/yearly-report/", {"year": YEAR})
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(response.content))["概况"]["B2"].value == unit.name
    assert client.get(f"/api/v1/units/{other.pk}/yearly-report/", {"year": YEAR}).status_code == 404


def test_yearly_report_writes_formula_like_names_as_text():
    from tests.core.test_exporting import assert_no_formula

    street = OrganizationFactory(level=Level.STREET)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street, name="@A1")
    unit = ResidentUnitFactory(registered_with=street, name='=HYPERLINK("http://x","y")', contact_person="=1+1")
    AgreementFactory(unit=unit, community=community, title="-1+1")
    staff = UserFactory(role=Role.STAFF, scope=street)

    content = unit_yearly_report_xlsx(unit=unit, year=YEAR, fetched_by=staff)

    assert_no_formula(content)
    summary = openpyxl.load_workbook(io.BytesIO(content))["概况"]
    assert summary["B2"].value == '=HYPERLINK("http://x","y")' and summary["B5"].value == "=1+1"
