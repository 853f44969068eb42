"""Forms of the unit liaison pages: they only parse input; every rule is checked by the cobuilding service called.

A service's ValidationError comes back onto the form through `add_service_errors`, so the same Chinese message
that the API shows appears beside the right field (or above the form when it names no field of this form).
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from cobuilding.models import ResidentUnit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on `form`: per field where the field is on the form, else non-field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, ValidationError(errors))


class CommitmentProgressForm(forms.Form):
    """How much of a commitment was delivered (次, 元, 小时, 人次), on which day."""

    amount = forms.DecimalField(
        label=_("完成数量"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        error_messages={
            "required": _("请填写完成数量。"),
            "invalid": _("完成数量须是数字。"),
            "min_value": _("完成数量须大于 0。"),
            "max_digits": _("完成数量过大。"),
            "max_decimal_places": _("完成数量最多保留两位小数。"),
            "max_whole_digits": _("完成数量过大。"),
        },
    )
    reported_on = forms.DateField(
        label=_("日期"),
        widget=DATE_INPUT,
        error_messages={"required": _("请填写日期。"), "invalid": _("日期格式不正确。")},
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reported_on"].initial = timezone.localdate()


class ItemClaimForm(forms.Form):
    """接招认领: the due date the unit promises; community staff recording a claim also name the unit."""

    due_on = forms.DateField(
        label=_("承诺完成日期"),
        widget=DATE_INPUT,
        error_messages={"required": _("请填写承诺完成日期。"), "invalid": _("日期格式不正确。")},
    )
    unit = forms.ModelChoiceField(
        label=_("认领单位"),
        queryset=ResidentUnit.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("请选择您管辖范围内的单位。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.UNIT_LIAISON and not user.is_superuser:
            del self.fields["unit"]  # a liaison claims for their own unit, never another
        else:
            self.fields["unit"].required = True
            self.fields["unit"].queryset = ResidentUnit.objects.visible_to(user).order_by("name")
            self.fields["unit"].error_messages["required"] = _("请选择认领单位。")


class ItemProgressForm(forms.Form):
    note = forms.CharField(
        label=_("进展说明"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写进展说明。")},
    )


class CallRespondForm(forms.Form):
    response = forms.CharField(
        label=_("答复内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写答复内容。")},
    )
