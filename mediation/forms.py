"""Forms of the mediation pages. Validation is the model's clean() and the services' rules; the forms only offer
choices inside the user's scope and carry what the page prefilled (the visit or ticket a case starts from)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import pii_formfield
from core.scoping import CHANGE
from grids.models import Grid, Visit
from mediation.models import DisputeCase, DisputeParty, MediationSession
from mediation.services import MEDIATOR_ROLES, PartyDetails
from mediation.transitions import OUTCOME_ACTIONS
from orgs.models import Organization
from orgs.rules import Level
from residents.models import Resident
from services.models import Ticket

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def errors_to_form(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field where the form has it, else on the whole form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.error_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def mediators_for(user):
    """Who may be named mediator: the user and the staff and grid workers they can see (the service re-checks)."""
    visible = User.objects.visible_to(user).filter(is_active=True, role__in=MEDIATOR_ROLES)
    return (User.objects.filter(pk=user.pk) | visible).distinct().order_by("username")


class CaseOpenForm(forms.ModelForm):
    """The case itself; the parties come from PartyFormSet beside it."""

    class Meta:
        model = DisputeCase
        fields = ["grid", "community", "kind", "summary", "mediator", "source_visit", "source_ticket"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "source_visit": forms.HiddenInput,
            "source_ticket": forms.HiddenInput,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Grid.objects.visible_to(user, CHANGE).order_by("code")
        self.fields["community"].queryset = Organization.objects.visible_to(user, CHANGE).filter(level=Level.COMMUNITY)
        self.fields["community"].required = False
        self.fields["community"].help_text = _("选了网格可不填，按网格所属社区登记。")
        self.fields["mediator"].queryset = mediators_for(user)
        self.fields["source_visit"].queryset = Visit.objects.visible_to(user)
        self.fields["source_ticket"].queryset = Ticket.objects.visible_to(user)
        if not self.fields["community"].queryset.exists():  # a grid worker: the grid decides the community
            self.fields["grid"].required = True
            del self.fields["community"]

    def clean(self):
        cleaned = super().clean()
        grid = cleaned.get("grid")
        if grid is not None:
            cleaned["community"] = self.instance.community = grid.community
        elif cleaned.get("community") is None and "grid" not in self.errors:
            self.add_error("grid", _("请选择网格或社区。"))
        return cleaned

    def _post_clean(self):
        # Fill the instance, but leave full_clean() to the service (case_open), which reports per field as well.
        construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


class PartyForm(forms.ModelForm):
    class Meta:
        model = DisputeParty
        formfield_callback = pii_formfield  # phones shown masked (core.forms)
        fields = ["resident", "name", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}

    def __init__(self, *args, residents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if residents is None:
            del self.fields["resident"]
        else:
            self.fields["resident"].queryset = residents
            self.fields["resident"].required = False
        self.fields["name"].help_text = _("不是登记居民时填写姓名和电话。")

    def clean(self):
        cleaned = super().clean()
        if not self.is_filled():
            return cleaned
        if not cleaned.get("resident") and not (cleaned.get("name") or "").strip():
            self.add_error("name", _("请选择居民，或填写当事人姓名。"))
        return cleaned

    def _post_clean(self):
        if self.is_filled():  # a blank row is no party: the model's rules (a name or a resident) do not apply to it
            super()._post_clean()

    def is_filled(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in ("resident", "name", "phone"))

    def details(self) -> PartyDetails:
        data = self.cleaned_data
        return PartyDetails(resident=data.get("resident"), name=data.get("name", ""), phone=data.get("phone", ""))


class BasePartyFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "residents": self.residents}

    def __init__(self, *args, residents=None, **kwargs):
        self.residents = residents
        super().__init__(*args, **kwargs)

    def filled(self) -> list[PartyDetails]:
        return [form.details() for form in self.forms if form.is_filled()]


# formset_factory returns a subclass of the `formset` it is given; the stubs type it as plain BaseFormSet.
PartyFormSet = cast(
    type[BasePartyFormSet],
    forms.formset_factory(PartyForm, formset=BasePartyFormSet, extra=0, min_num=3, validate_min=False),
)


def suggested_residents(*, visit: Visit | None, ticket: Ticket | None, user):
    """The residents a case from this visit or ticket most likely involves: the household's, or the reporter."""
    residents = Resident.objects.visible_to(user)
    if visit is not None:
        return residents.current().filter(household=visit.household_id).order_by("pk")
    if ticket is not None and ticket.reporter_id:
        return residents.filter(pk=ticket.reporter_id)
    return None


class SessionForm(forms.ModelForm):
    class Meta:
        model = MediationSession
        fields = ["held_at", "place", "attendees", "notes"]
        widgets = {"held_at": DATETIME_WIDGET, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def _post_clean(self):
        pass  # the service validates the session against its case


class OutcomeForm(forms.Form):
    action = forms.ChoiceField(label=_("调解结果"), widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("协议内容 / 移交单位 / 未成原因"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000
    )
    concluded_at = forms.DateTimeField(label=_("结案时间"), widget=DATETIME_WIDGET, required=False)

    def __init__(self, *args, case: DisputeCase, **kwargs):
        super().__init__(*args, **kwargs)
        # self.fields holds copies of the fields declared above: "action" is that ChoiceField.
        action = cast(forms.ChoiceField, self.fields["action"])
        action.choices = [(a.name, a.label) for a in OUTCOME_ACTIONS if case.status in a.sources]
        self.fields["concluded_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class FollowUpForm(forms.Form):
    follow_up_on = forms.DateField(label=_("回访日期"), widget=forms.DateInput(attrs={"type": "date"}))
    follow_up_notes = forms.CharField(label=_("回访情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)
    follow_up_visit = forms.ModelChoiceField(label=_("回访记录"), queryset=Visit.objects.none(), required=False)

    def __init__(self, *args, case: DisputeCase, user, **kwargs):
        super().__init__(*args, **kwargs)
        visits = Visit.objects.visible_to(user).filter(household__building__grid=case.grid_id)
        if case.concluded_at:
            visits = visits.filter(visited_on__gte=timezone.localdate(case.concluded_at))
        # self.fields holds copies of the fields declared above: "follow_up_visit" is that ModelChoiceField.
        visit = cast(forms.ModelChoiceField, self.fields["follow_up_visit"])
        visit.queryset = visits.select_related("household__building").order_by("-visited_on")
        self.fields["follow_up_on"].initial = timezone.localdate()
