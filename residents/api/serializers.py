from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import MaskedCharField, ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from core.masking import mask_id_number, mask_phone
from core.scoping import CHANGE
from grids.models import Household
from residents.models import CareTag, Resident


@extend_schema_field(OpenApiTypes.STR)
class CareTagField(serializers.RelatedField):
    """A care tag written as its code (`low_income`) or its id, and always read back as its code."""

    default_error_messages = {
        "does_not_exist": _("关爱标签“{value}”不存在。"),
        "invalid": _("关爱标签须为代码或编号。"),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("invalid")
        lookup = {"pk": int(data)} if str(data).isdigit() else {"code": data}
        try:
            return self.get_queryset().get(**lookup)
        except CareTag.DoesNotExist:
            self.fail("does_not_exist", value=data)

    def to_representation(self, tag):
        return tag.code


class ResidentSerializer(ScopedModelSerializer):
    """A resident as the API shows it: ID number and phone masked, whoever asks (full values: the pii action)."""

    id_number = MaskedCharField(mask_id_number, max_length=18, required=False, allow_blank=True)
    phone = MaskedCharField(mask_phone, max_length=20, required=False, allow_blank=True)
    tags = CareTagField(many=True, required=False, queryset=CareTag.objects.all())
    household_label = serializers.CharField(source="household.__str__", read_only=True)
    grid = serializers.IntegerField(source="household.building.grid_id", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Resident
        fields = [
            "id", "name", "name_initials", "id_number", "gender", "birth_date", "phone", "household",
            "household_label", "grid", "relation", "status", "status_display", "ethnicity", "political_status",
            "party_member", "tags", "notes", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["name_initials", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, tuple)) and "household" in fields:
            # A change of household is a move (the `move` action): it closes one residence record, opens another.
            fields["household"] = serializers.PrimaryKeyRelatedField(read_only=True)
        return fields


class ResidentMoveSerializer(serializers.Serializer):
    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all(), action=CHANGE, label=_("迁入户"))
    moved_on = serializers.DateField(required=False, label=_("迁入日期"))


class ResidentPIISerializer(serializers.Serializer):
    id_number = serializers.CharField()
    phone = serializers.CharField()
