"""Forms for the grid worker pages: model forms, so the model's clean() and constraints are the validation."""

from django import forms
from django.utils import timezone

from core.forms import pii_formfield
from grids.models import Household, Visit, VisitKind


class ParentBoundModelForm(forms.ModelForm):
    """A model form whose parent (the building of a household, the household of a resident) comes from the URL.

    The parent is not a form field, so Django would leave it out of model validation and skip every constraint
    that names it (a duplicate room would then reach the database as an IntegrityError, a 500). Listing it in
    `bound_fields` keeps it in validation: the view sets it on the instance before the form is validated.
    """

    bound_fields: tuple[str, ...] = ()

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() - set(self.bound_fields)


class HouseholdForm(ParentBoundModelForm):
    bound_fields = ("building",)

    class Meta:
        model = Household
        formfield_callback = pii_formfield  # ID number and phone shown masked (core.forms)
        fields = ["unit", "room", "kind", "phone", "head"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The head is one of the household's own members: none yet when the household is being created.
        if self.instance.pk:
            head = self.fields["head"]  # its queryset is the resident model's own (residents sit above grids)
            head.queryset = head.queryset.current().filter(household=self.instance)
        else:
            del self.fields["head"]


class VisitForm(ParentBoundModelForm):
    """Record a visit in under a minute: the household is preselected, the date defaults to today."""

    bound_fields = ("household",)

    class Meta:
        model = Visit
        fields = ["visited_on", "kind", "notes", "follow_up_needed"]
        widgets = {
            "visited_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "kind": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, care_household: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            # The instance's model defaults already sit in self.initial; a care household's visit is usually 五必访.
            self.initial["visited_on"] = timezone.localdate()
            self.initial["kind"] = VisitKind.CARE if care_household else VisitKind.ROUTINE
