"""A unit's page (agreements with their fulfilled share, members reported, evaluations) and its service lists."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, View

from accounts.models import Role
from cobuilding.forms import CommitmentProgressForm, add_service_errors
from cobuilding.models import (
    CallStatus,
    CoBuildingAgreement,
    CommitmentItem,
    CommitmentProgress,
    JointMeeting,
    ResidentUnit,
    WhistleCall,
)
from cobuilding.selectors import (
    agreements_with_share,
    commitments_with_progress,
    evaluation_results,
    unit_member_reports,
    unit_whistle_points,
)
from cobuilding.services import commitment_progress_add, commitment_verify
from core.pages import ScopedObjectMixin, WriterRequiredMixin, get_scoped_or_404
from core.scoping import CHANGE


def is_community_side(user) -> bool:
    return user.is_superuser or user.role in (Role.STAFF, Role.INTEGRATOR)


class UnitHomeView(ScopedObjectMixin, ListView):
    """/unit/: a liaison goes straight to their unit; community staff pick one of the units in their scope."""

    model = ResidentUnit
    template_name = "cobuilding/unit_list.html"
    paginate_by = 50

    def scope_related(self, queryset):
        return queryset.filter(is_active=True).order_by("name")

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role == Role.UNIT_LIAISON and request.user.unit_id:
            return redirect("unit:unit", pk=request.user.unit_id)
        return super().get(request, *args, **kwargs)


class UnitDetailView(ScopedObjectMixin, DetailView):
    model = ResidentUnit
    template_name = "cobuilding/unit_detail.html"

    def get_context_data(self, **kwargs):
        unit, user = self.object, self.request.user
        agreements = agreements_with_share(
            CoBuildingAgreement.objects.visible_to(user).filter(unit=unit).select_related("community")
        )
        calls = WhistleCall.objects.visible_to(user).filter(unit=unit)
        year = timezone.localdate().year
        return super().get_context_data(
            agreements=agreements,
            members_reported=unit_member_reports(unit=unit, fetched_by=user).count(),
            evaluations=evaluation_results(fetched_by=user, filters={"unit": unit}).order_by("-round__year"),
            year=year,
            whistle_points=unit_whistle_points(unit=unit, year=year, fetched_by=user),
            meeting_count=JointMeeting.objects.visible_to(user).filter(attending_units=unit).count(),
            open_calls=calls.filter(
                status__in=(CallStatus.PENDING, CallStatus.ACKNOWLEDGED, CallStatus.OVERDUE)
            ).count(),
            **kwargs,
        )


class AgreementDetailView(ScopedObjectMixin, DetailView):
    """An agreement's service list: each commitment with its progress so far and a form to add to it."""

    model = CoBuildingAgreement
    template_name = "cobuilding/agreement_detail.html"

    def scope_related(self, queryset):
        return agreements_with_share(queryset.select_related("unit", "community"))

    def get_context_data(self, **kwargs):
        items = (
            commitments_with_progress(CommitmentItem.objects.visible_to(self.request.user))
            .filter(agreement=self.object)
            .select_related("verified_by")
            .order_by("due_on", "id")
        )
        return super().get_context_data(
            items=items,
            form=CommitmentProgressForm(),
            can_verify=is_community_side(self.request.user),
            **kwargs,
        )


class CommitmentProgressView(WriterRequiredMixin, FormView):
    """Record progress on one commitment (commitment_progress_add); a bad amount comes back with the message."""

    form_class = CommitmentProgressForm
    template_name = "cobuilding/commitment_progress.html"

    @cached_property
    def item(self) -> CommitmentItem:
        items = commitments_with_progress(CommitmentItem.objects.select_related("agreement__unit"))
        return get_scoped_or_404(items, self.request.user, CHANGE, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        recent = CommitmentProgress.objects.filter(item=self.item).select_related("reported_by")[:10]
        return super().get_context_data(item=self.item, recent=recent, **kwargs)

    def form_valid(self, form):
        try:
            commitment_progress_add(item=self.item, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        amount: Decimal = form.cleaned_data["amount"]
        messages.success(
            self.request,
            _("已记录“%(item)s”的进展：%(amount)s %(measure)s。")
            % {"item": self.item, "amount": amount.normalize(), "measure": self.item.get_measure_display()},
        )
        return redirect(reverse("unit:agreement", args=[self.item.agreement_id]))


class CommitmentVerifyView(WriterRequiredMixin, View):
    """Community staff confirm a commitment fulfilled (commitment_verify); liaisons never can (the service says)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        item = get_scoped_or_404(CommitmentItem, request.user, CHANGE, pk=pk)
        try:
            commitment_verify(item=item, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已核实“%(item)s”。") % {"item": item})
        return redirect("unit:agreement", pk=item.agreement_id)
