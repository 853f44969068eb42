"""Dispute cases: the model's rules per field, and the services that move a case from opening to outcome."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from mediation.models import CaseStatus, DisputeCase, DisputeParty
from mediation.services import PartyDetails, case_conclude, case_open, case_record_follow_up, session_add
from notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.grids.factories import GridFactory, VisitFactory, grid_worker_for
from tests.mediation.factories import DisputeCaseFactory

pytestmark = pytest.mark.django_db


def _errors(instance) -> dict:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def test_agreed_case_needs_the_agreement_text():
    case = DisputeCaseFactory()
    case.status, case.concluded_at = CaseStatus.AGREED, timezone.now()
    assert _errors(case)["agreement_text"] == ["调解成功须填写调解协议内容。"]


def test_referred_and_failed_cases_need_their_own_field():
    case = DisputeCaseFactory()
    case.status, case.concluded_at = CaseStatus.REFERRED, timezone.now()
    assert "referred_to" in _errors(case)
    case.status = CaseStatus.FAILED
    assert "failure_reason" in _errors(case)


def test_grid_must_lie_in_the_case_community():
    case = DisputeCaseFactory()
    case.grid = GridFactory()
    assert _errors(case)["grid"] == ["网格须属于所选社区。"]


def test_party_needs_a_resident_or_a_name_and_a_valid_phone():
    case = DisputeCaseFactory()
    assert "name" in _errors(DisputeParty(case=case))
    assert "phone" in _errors(DisputeParty(case=case, name="王五", phone="12345"))
    party = DisputeParty(case=case, name="王五", phone="139 1111 2222")
    party.full_clean()
    assert party.phone == "13911112222"


def test_case_open_numbers_the_case_and_needs_two_parties():
    grid = GridFactory()
    worker = grid_worker_for(grid)
    case = DisputeCase(grid=grid, community=grid.community, summary="噪音", mediator=worker)
    with pytest.raises(ValidationError) as caught:
        case_open(case=case, parties=[PartyDetails(name="甲")], by=worker)
    assert "parties" in caught.value.message_dict
    case = case_open(case=case, parties=[PartyDetails(name="甲"), PartyDetails(name="乙")], by=worker)
    assert case.reference.startswith("TJ-") and case.reference.endswith(f"{case.pk:05d}")
    assert case.status == CaseStatus.OPEN and case.opened_by == worker


def test_case_open_refuses_a_grid_outside_the_openers_scope():
    worker = grid_worker_for(GridFactory())
    other = GridFactory()
    case = DisputeCase(grid=other, community=other.community, summary="噪音", mediator=worker)
    with pytest.raises(PermissionDenied):
        case_open(case=case, parties=[PartyDetails(name="甲"), PartyDetails(name="乙")], by=worker)
    assert not DisputeCase.objects.exists()


def test_mediator_named_by_someone_else_is_notified():
    grid = GridFactory()
    worker = grid_worker_for(grid)
    staff = UserFactory(role=Role.STAFF, scope=grid.community)
    case = DisputeCaseFactory(grid=grid, mediator=worker, by=staff)
    assert Notification.objects.filter(recipient=worker, link__endswith=f"/mediation/{case.pk}/").exists()


def test_mediator_must_be_able_to_handle_the_case():
    grid = GridFactory()
    outsider = grid_worker_for(GridFactory())
    with pytest.raises(ValidationError) as caught:
        DisputeCaseFactory(grid=grid, mediator=outsider, by=UserFactory(is_superuser=True))
    assert "mediator" in caught.value.message_dict


def test_first_session_starts_mediation_and_agreement_ends_it():
    case = DisputeCaseFactory()
    with pytest.raises(ValidationError):  # no agreement before anyone sat down together
        case_conclude(case=case, action="agree", text="和解", by=case.mediator)
    session_add(case=case, held_at=timezone.now() - datetime.timedelta(hours=1), notes="陈述", by=case.mediator)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_MEDIATION
    case_conclude(case=case, action="agree", text="楼上赔偿 500 元。", by=case.mediator)
    case.refresh_from_db()
    assert (case.status, case.agreement_text) == (CaseStatus.AGREED, "楼上赔偿 500 元。")
    with pytest.raises(ValidationError):
        session_add(case=case, held_at=timezone.now(), notes="又来", by=case.mediator)


def test_a_case_may_be_referred_before_any_session():
    case = DisputeCaseFactory()
    case_conclude(case=case, action="refer", text="市劳动仲裁委", by=case.mediator)
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED


def test_session_cannot_predate_the_case_nor_the_outcome_a_session():
    case = DisputeCaseFactory()
    with pytest.raises(ValidationError) as caught:
        session_add(case=case, held_at=case.opened_at - datetime.timedelta(hours=1), notes="x", by=case.mediator)
    assert "held_at" in caught.value.message_dict
    session = session_add(case=case, held_at=timezone.now() - datetime.timedelta(hours=1), notes="x", by=case.mediator)
    with pytest.raises(ValidationError) as caught:
        case_conclude(case=case, action="fail", text="x", concluded_at=session.held_at - datetime.timedelta(minutes=5),
                      by=case.mediator)  # fmt: skip
    assert "concluded_at" in caught.value.message_dict


def test_follow_up_only_after_the_outcome_and_with_a_visit_of_the_grid():
    case = DisputeCaseFactory()
    with pytest.raises(ValidationError):
        case_record_follow_up(case=case, follow_up_on=timezone.localdate(), notes="好", by=case.mediator)
    case_conclude(case=case, action="refer", text="派出所", by=case.mediator)
    elsewhere = VisitFactory()
    with pytest.raises(ValidationError):
        case_record_follow_up(case=case, follow_up_on=timezone.localdate(), notes="好", visit=elsewhere,
                              by=case.mediator)  # fmt: skip
    case_record_follow_up(case=case, follow_up_on=timezone.localdate(), notes="已调处", by=case.mediator)
    case.refresh_from_db()
    assert case.follow_up_notes == "已调处"
