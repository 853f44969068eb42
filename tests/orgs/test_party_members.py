"""PartyMember.clean(): the ID number is the truth for gender and birth date; one active member per ID number."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from orgs.models import PartyMember
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory, PartyMemberFactory, make_id_number
from tests.scoped_api import client_as

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1985, 3, 2)


def _member(**fields) -> PartyMember:
    org = OrganizationFactory(level=Level.COMMUNITY)
    return PartyMember(name="张三", organization=org, **fields)


def _errors(member: PartyMember) -> dict:
    with pytest.raises(ValidationError) as caught:
        member.full_clean()
    return caught.value.message_dict


def test_blank_gender_and_birth_date_are_read_from_the_id_number():
    member = _member(id_number=make_id_number(BIRTH, male=False))
    member.full_clean()
    assert member.gender == "female"
    assert member.birth_date == BIRTH


def test_typed_gender_disagreeing_with_the_id_number_is_a_gender_error():
    errors = _errors(_member(id_number=make_id_number(BIRTH, male=True), gender="female"))
    assert set(errors) == {"gender"}
    assert errors["gender"] == ["性别与身份证号不符。"]


def test_typed_birth_date_disagreeing_with_the_id_number_is_a_birth_date_error():
    errors = _errors(_member(id_number=make_id_number(BIRTH), birth_date=datetime.date(1985, 3, 3)))
    assert set(errors) == {"birth_date"}
    assert "1985-03-02" in errors["birth_date"][0]


def test_bad_id_number_is_an_id_number_error():
    errors = _errors(_member(id_number="342524198503020000"))
    assert set(errors) == {"id_number"}


def test_legacy_id_number_is_refused_on_the_model():
    errors = _errors(_member(id_number="342524850302001"))
    assert "15 位" in errors["id_number"][0]


def test_lower_case_x_is_stored_upper_case():
    from stdnum.cn import ric

    body = next(b for n in range(1000) if ric.calc_check_digit((b := f"34252419850302{n:03d}") + "0") == "X")
    member = _member(id_number=body + "x")
    member.full_clean()
    assert member.id_number == body + "X"


def test_phone_is_normalised_and_junk_refused():
    member = _member(id_number=make_id_number(BIRTH), phone="139 1234 5678")
    member.full_clean()
    assert member.phone == "13912345678"
    assert "phone" in _errors(_member(id_number=make_id_number(BIRTH), phone="12345"))


def test_joining_before_birth_is_refused():
    errors = _errors(_member(id_number=make_id_number(BIRTH), joined_on=datetime.date(1980, 1, 1)))
    assert set(errors) == {"joined_on"}


# --- Uniqueness among active members, through the API ------------------------------------------------------------


@pytest.fixture
def staff_and_org():
    street = OrganizationFactory(level=Level.STREET)
    return UserFactory(role="staff", scope=street), street


def _post_member(user, org, id_number: str, **extra):
    payload = {"name": "李四", "id_number": id_number, "organization": org.pk, **extra}
    return client_as(user).post("/api/v1/party-members/", payload, format="json")


def test_a_second_active_member_with_the_same_id_number_is_refused(staff_and_org):
    staff, org = staff_and_org
    existing = PartyMemberFactory(organization=org)
    response = _post_member(staff, org, existing.id_number)
    assert response.status_code == 400
    assert "已有在册党员使用此身份证号。" in str(response.json())
    assert PartyMember.objects.filter(id_number=existing.id_number).count() == 1


def test_an_inactive_duplicate_is_allowed(staff_and_org):
    staff, org = staff_and_org
    existing = PartyMemberFactory(organization=org)
    response = _post_member(staff, org, existing.id_number, is_active=False)
    assert response.status_code == 201, response.content


def test_a_new_active_record_is_allowed_once_the_old_one_is_inactive(staff_and_org):
    staff, org = staff_and_org
    existing = PartyMemberFactory(organization=org, is_active=False)
    response = _post_member(staff, org, existing.id_number)
    assert response.status_code == 201, response.content


def test_the_api_fills_gender_and_birth_date_from_the_id_number(staff_and_org):
    staff, org = staff_and_org
    response = _post_member(staff, org, make_id_number(BIRTH, male=False).lower())
    assert response.status_code == 201, response.content
    member = PartyMember.objects.get(pk=response.json()["id"])
    assert (member.gender, member.birth_date) == ("female", BIRTH)


def test_the_api_reports_a_gender_mismatch_on_the_gender_field(staff_and_org):
    staff, org = staff_and_org
    response = _post_member(staff, org, make_id_number(BIRTH, male=True), gender="female")
    assert response.status_code == 400
    assert list(response.json()) == ["gender"]
