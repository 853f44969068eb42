"""The resident form of the grid worker pages; Resident.clean() checks the ID number, phone and what they imply."""

from django import forms

from core.forms import pii_formfield
from grids.forms import ParentBoundModelForm
from residents.models import CareTag, Resident

RESIDENT_FIELDS = [
    "name",
    "id_number",
    "phone",
    "relation",
    "status",
    "gender",
    "birth_date",
    "ethnicity",
    "political_status",
    "tags",
    "notes",
]


class ResidentForm(ParentBoundModelForm):
    bound_fields = ("household",)

    class Meta:
        model = Resident
        formfield_callback = pii_formfield  # ID number and phone shown masked (core.forms)
        fields = RESIDENT_FIELDS
        widgets = {
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "tags": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = CareTag.objects.all()

    def model_fields(self) -> dict:
        """The validated values as the model normalised them (compact ID number, derived gender and birth date)."""
        return {name: getattr(self.instance, name) for name in RESIDENT_FIELDS if name != "tags"}
