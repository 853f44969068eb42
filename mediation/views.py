"""Mediation pages (mobile-first, like the grid worker's): my cases, open one, sessions, outcome, the agreement."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import DetailView, ListView

from accounts.models import User
from core.pages import ScopedObjectMixin, WriterRequiredMixin, get_scoped_or_404, paginate
from core.scoping import CHANGE
from grids.models import Visit
from mediation.forms import (
    BasePartyFormSet,
    CaseOpenForm,
    FollowUpForm,
    OutcomeForm,
    PartyForm,
    PartyFormSet,
    SessionForm,
    errors_to_form,
    suggested_residents,
)
from mediation.models import CaseStatus, DisputeCase
from mediation.selectors import case_list, case_parties, case_sessions
from mediation.services import case_conclude, case_open, case_record_follow_up, party_add, session_add
from mediation.transitions import outcome_actions_for
from services.models import Ticket


def _signed_in(request: HttpRequest) -> User:
    # Every mediation page is behind LoginRequiredMixin (through the core.pages mixins): never an anonymous user here.
    return cast(User, request.user)


class CaseListView(ScopedObjectMixin, ListView):
    """The cases in the user's scope; "mine" (the default for a grid worker) those they mediate or opened."""

    model = DisputeCase
    template_name = "mediation/case_list.html"

    @cached_property
    def mine(self) -> bool:
        wanted = self.request.GET.get("mine")
        return wanted == "1" if wanted in ("0", "1") else _signed_in(self.request).role == "grid_worker"

    def get_queryset(self):
        status = self.request.GET.get("status", "")
        status = status if status in CaseStatus.values else ""
        return case_list(fetched_by=_signed_in(self.request), mine=self.mine, status=status)

    def get_context_data(self, **kwargs):
        page = paginate(self.request, self.object_list)
        return super().get_context_data(page=page, cases=page.object_list, mine=self.mine, **kwargs)


class CaseOpenView(WriterRequiredMixin, View):
    """Open a case; from a visit (?visit=) or a ticket (?ticket=) the page is prefilled and the case links back."""

    template_name = "mediation/case_form.html"

    @cached_property
    def source_visit(self) -> Visit | None:
        pk = self.request.GET.get("visit") or self.request.POST.get("source_visit")
        if not pk:
            return None
        visits = Visit.objects.select_related("household__building__grid__community", "household__head")
        return get_scoped_or_404(visits, self.request.user, pk=_as_id(pk))

    @cached_property
    def source_ticket(self) -> Ticket | None:
        pk = self.request.GET.get("ticket") or self.request.POST.get("source_ticket")
        if not pk:
            return None
        return get_scoped_or_404(Ticket.objects.with_related(), self.request.user, pk=_as_id(pk))

    def get(self, request):
        return self._render(
            self._case_form(initial=self._initial_case()), self._parties(initial=self._initial_parties())
        )

    def post(self, request):
        form, parties = self._case_form(data=request.POST), self._parties(data=request.POST)
        if form.is_valid() and parties.is_valid():
            try:
                case = case_open(case=form.instance, parties=parties.filled(), by=request.user)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("已受理调解案件 %(ref)s。") % {"ref": case.reference})
                return redirect("mediation:detail", pk=case.pk)
        return self._render(form, parties)

    def _case_form(self, **kwargs) -> CaseOpenForm:
        return CaseOpenForm(user=self.request.user, instance=DisputeCase(), **kwargs)

    def _parties(self, **kwargs) -> BasePartyFormSet:
        residents = suggested_residents(visit=self.source_visit, ticket=self.source_ticket, user=self.request.user)
        return PartyFormSet(prefix="party", residents=residents, **kwargs)

    def _initial_case(self) -> dict[str, int | str | None]:
        initial: dict[str, int | str | None] = {"mediator": self.request.user.pk}
        if visit := self.source_visit:
            grid = visit.household.building.grid
            initial |= {
                "grid": grid.pk,
                "community": grid.community_id,
                "source_visit": visit.pk,
                "summary": visit.notes,
            }
        if ticket := self.source_ticket:
            initial |= {"community": ticket.community_id, "source_ticket": ticket.pk, "summary": ticket.description}
            initial |= {"grid": ticket.grid_id} if ticket.grid_id else {}
        return initial

    def _initial_parties(self) -> list[dict]:
        if self.source_visit is not None and self.source_visit.household.head_id:
            return [{"resident": self.source_visit.household.head_id}]
        if (ticket := self.source_ticket) is not None:
            if ticket.reporter_id:
                return [{"resident": ticket.reporter_id}]
            return [{"name": ticket.reporter_name, "phone": ticket.reporter_phone}]
        return []

    def _render(self, form, parties):
        context = {"form": form, "parties": parties, "visit": self.source_visit, "ticket": self.source_ticket}
        return render(self.request, self.template_name, context)


def _as_id(value: str) -> int:
    if not str(value).isdigit():
        raise Http404
    return int(value)


class CaseDetailView(ScopedObjectMixin, DetailView):
    model = DisputeCase
    template_name = "mediation/case_detail.html"
    context_object_name = "case"

    def scope_related(self, queryset):
        return queryset.with_related().select_related(
            "source_visit__household__building", "follow_up_visit__household__building", "opened_by"
        )

    def get_context_data(self, **kwargs):
        case = self.object
        return super().get_context_data(
            parties=case_parties(case),
            sessions=case_sessions(case),
            outcome_actions=outcome_actions_for(case.status),
            can_write=self.request.user.can_write and _may_change(case, self.request.user),
            **kwargs,
        )


def _may_change(case: DisputeCase, user) -> bool:
    return DisputeCase.objects.visible_to(user, CHANGE).filter(pk=case.pk).exists()


class CaseStepView(WriterRequiredMixin, View):
    """One form page about a case (a session, a party, the outcome, the follow-up): GET shows it, POST calls the
    service; a refused step comes back with the service's messages on the form."""

    template_name = ""
    done_message = _lazy("已保存。")

    @cached_property
    def case(self) -> DisputeCase:
        return get_scoped_or_404(DisputeCase.objects.with_related(), self.request.user, CHANGE, pk=self.kwargs["pk"])

    def make_form(self, data=None):
        raise NotImplementedError

    def save(self, form) -> None:
        raise NotImplementedError

    def get(self, request, pk: int):
        return self._render(self.make_form())

    def post(self, request, pk: int):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    self.save(form)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, self.done_message)
                return redirect(self.success_url())
        return self._render(form)

    def success_url(self) -> str:
        return reverse("mediation:detail", args=[self.case.pk])

    def _render(self, form):
        return render(self.request, self.template_name, {"case": self.case, "form": form})


class SessionAddView(CaseStepView):
    template_name = "mediation/session_form.html"
    done_message = _lazy("已记录调解。")

    def make_form(self, data=None):
        return SessionForm(data)

    def save(self, form) -> None:
        session_add(case=self.case, by=_signed_in(self.request), **form.cleaned_data)


class PartyAddView(CaseStepView):
    template_name = "mediation/party_form.html"
    done_message = _lazy("已添加当事人。")

    def make_form(self, data=None):
        return PartyForm(data)

    def save(self, form) -> None:
        party_add(case=self.case, details=form.details(), by=_signed_in(self.request))


class OutcomeView(CaseStepView):
    template_name = "mediation/outcome_form.html"
    done_message = _lazy("已记录调解结果。")

    def make_form(self, data=None):
        return OutcomeForm(data, case=self.case)

    def save(self, form) -> None:
        case_conclude(case=self.case, by=_signed_in(self.request), **form.cleaned_data)


class FollowUpView(CaseStepView):
    template_name = "mediation/follow_up_form.html"
    done_message = _lazy("已记录回访。")

    def make_form(self, data=None):
        return FollowUpForm(data, case=self.case, user=self.request.user)

    def save(self, form) -> None:
        data = form.cleaned_data
        case_record_follow_up(
            case=self.case, follow_up_on=data["follow_up_on"], notes=data["follow_up_notes"],
            visit=data["follow_up_visit"], by=_signed_in(self.request),
        )  # fmt: skip


class AgreementPrintView(ScopedObjectMixin, DetailView):
    """The agreement for the parties to sign (A4): their names and a signature line each; phones stay masked."""

    model = DisputeCase
    template_name = "mediation/agreement_print.html"
    context_object_name = "case"

    def scope_related(self, queryset):
        return queryset.with_related().filter(status=CaseStatus.AGREED)

    def get_context_data(self, **kwargs):
        parties = list(case_parties(self.object))
        return super().get_context_data(parties=parties, copies=len(parties) + 1, **kwargs)
