"""Mediation pages: the grid worker of the grid opens and works a case; a sibling grid's worker gets 404; an official
reads and never writes; party phones are masked everywhere; the agreement prints for signing."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from mediation.models import CaseStatus, DisputeCase
from mediation.services import case_conclude, session_add
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.grids.factories import BuildingFactory, GridFactory, HouseholdFactory, VisitFactory, grid_worker_for
from tests.mediation.factories import DisputeCaseFactory
from tests.orgs.factories import OrganizationFactory
from tests.residents.factories import ResidentFactory
from tests.services.factories import TicketFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def scene():
    community = OrganizationFactory(level=Level.COMMUNITY)
    grid, sibling = GridFactory(community=community), GridFactory(community=community)
    worker = grid_worker_for(grid)
    case = DisputeCaseFactory(grid=grid, mediator=worker, by=worker)
    return {
        "grid": grid, "worker": worker, "case": case, "outsider": grid_worker_for(sibling),
        "official": UserFactory(role=Role.OFFICIAL, scope=community),
    }  # fmt: skip


def _agreed(case):
    session_add(case=case, held_at=timezone.now() - datetime.timedelta(hours=1), notes="面谈", by=case.mediator)
    return case_conclude(case=case, action="agree", text="楼上于本周内修好水管。", by=case.mediator)


def test_grid_worker_lists_and_reads_their_case_with_phones_masked(scene):
    client = client_for(scene["worker"])
    listing = client.get(reverse("mediation:list")).content.decode()
    assert scene["case"].reference in listing
    page = client.get(reverse("mediation:detail", args=[scene["case"].pk])).content.decode()
    assert "139****2222" in page and "13911112222" not in page


def test_sibling_grid_worker_gets_404_on_every_case_page(scene):
    client, pk = client_for(scene["outsider"]), scene["case"].pk
    for name in ("detail", "session-add", "outcome", "party-add", "follow-up"):
        assert client.get(reverse(f"mediation:{name}", args=[pk])).status_code == 404, name
    assert scene["case"].reference not in client.get(reverse("mediation:list") + "?mine=0").content.decode()


def test_official_reads_but_cannot_write(scene):
    client, pk = client_for(scene["official"]), scene["case"].pk
    assert client.get(reverse("mediation:detail", args=[pk])).status_code == 200
    assert client.get(reverse("mediation:open")).status_code == 403
    response = client.post(reverse("mediation:session-add", args=[pk]), {"notes": "x"})
    assert response.status_code == 403
    assert not scene["case"].sessions.exists()


def test_grid_worker_opens_a_case_from_a_visit_and_the_visit_links_back(scene):
    household = HouseholdFactory(building=BuildingFactory(grid=scene["grid"]))
    head = ResidentFactory(household=household, name="赵大爷")
    household.head = head
    household.save()
    visit = VisitFactory(household=household, visitor=scene["worker"], kind="mediation", notes="与邻居因漏水争吵")
    client = client_for(scene["worker"])
    form = client.get(reverse("mediation:open"), {"visit": visit.pk}).content.decode()
    assert "与邻居因漏水争吵" in form and "赵大爷" in form
    data = {
        "grid": scene["grid"].pk, "kind": "neighbour", "summary": "漏水", "mediator": scene["worker"].pk,
        "source_visit": visit.pk, "party-TOTAL_FORMS": 3, "party-INITIAL_FORMS": 0,
        "party-0-resident": head.pk, "party-1-name": "钱阿姨", "party-1-phone": "13800001111",
    }  # fmt: skip
    response = client.post(reverse("mediation:open"), data)
    case = DisputeCase.objects.get(source_visit=visit)
    assert response.status_code == 302 and response["Location"] == reverse("mediation:detail", args=[case.pk])
    assert [p.display_name for p in case.parties.order_by("pk")] == ["赵大爷", "钱阿姨"]
    household_page = client.get(reverse("grid:household", args=[household.pk])).content.decode()
    assert case.reference in household_page


def test_open_form_with_one_party_comes_back_with_the_message(scene):
    data = {
        "grid": scene["grid"].pk, "kind": "neighbour", "summary": "漏水", "mediator": scene["worker"].pk,
        "party-TOTAL_FORMS": 3, "party-INITIAL_FORMS": 0, "party-0-name": "钱阿姨",
    }  # fmt: skip
    response = client_for(scene["worker"]).post(reverse("mediation:open"), data)
    assert response.status_code == 200
    assert "调解至少需要两方当事人。" in response.content.decode()


def test_outsider_cannot_start_a_case_from_another_grids_visit(scene):
    visit = VisitFactory(household=HouseholdFactory(building=BuildingFactory(grid=scene["grid"])))
    assert client_for(scene["outsider"]).get(reverse("mediation:open"), {"visit": visit.pk}).status_code == 404


def test_case_from_a_ticket_links_back_from_the_ticket_page(scene):
    staff = UserFactory(role=Role.STAFF, scope=scene["grid"].community)
    ticket = TicketFactory(grid=scene["grid"], reporter_name="孙先生", reporter_phone="13712345678")
    client = client_for(staff)
    form = client.get(reverse("mediation:open"), {"ticket": ticket.pk}).content.decode()
    assert "孙先生" in form
    case = DisputeCaseFactory(grid=scene["grid"], mediator=staff, by=staff, source_ticket=ticket)
    ticket_page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert case.reference in ticket_page


def test_session_and_outcome_pages_record_an_agreement(scene):
    client, case = client_for(scene["worker"]), scene["case"]
    held = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("mediation:session-add", args=[case.pk]), {"held_at": held, "notes": "双方陈述"})
    assert response.status_code == 302
    empty = client.post(reverse("mediation:outcome", args=[case.pk]), {"action": "agree", "text": ""})
    assert empty.status_code == 200
    response = client.post(reverse("mediation:outcome", args=[case.pk]), {"action": "agree", "text": "修好水管"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED and case.agreement_text == "修好水管"


def test_agreement_page_prints_names_and_a_signature_line_each_with_phones_masked(scene):
    case = _agreed(scene["case"])
    page = client_for(scene["official"]).get(reverse("mediation:agreement", args=[case.pk])).content.decode()
    assert "人民调解协议书" in page and "楼上于本周内修好水管。" in page
    assert page.count('class="signature"') == 2 + 2  # each party, the mediator, the committee
    assert "张大爷" in page and "李阿姨" in page
    assert "139****2222" in page and "13911112222" not in page
    assert "mediation-print.css" in page


def test_agreement_page_is_404_until_agreed(scene):
    assert client_for(scene["worker"]).get(reverse("mediation:agreement", args=[scene["case"].pk])).status_code == 404
