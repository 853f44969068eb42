"""Export of buildings and households (django-import-export), in the sheet's Chinese column names.

Phones go through core.masking, the one masking mechanism: an export leaves the portal, so it never carries a
full phone number, whoever asks. What is exported is whatever queryset the caller passes, which the admin and
`export_dataset()` both take from `visible_to(user)`.
"""

from import_export import fields, resources

from core.exporting import SafeExportAdminMixin, SafeXLSX
from core.masking import mask_phone
from grids.models import Building, Household


class BuildingResource(resources.ModelResource):
    grid_code = fields.Field(attribute="grid__code", column_name="网格编码")
    grid_name = fields.Field(attribute="grid__name", column_name="网格")
    name = fields.Field(attribute="name", column_name="楼栋")
    address = fields.Field(attribute="address", column_name="地址")
    floors = fields.Field(attribute="floors", column_name="层数")
    units = fields.Field(attribute="units", column_name="单元数")
    kind = fields.Field(attribute="get_kind_display", column_name="类型")

    class Meta:
        model = Building
        fields = ("grid_code", "grid_name", "name", "address", "floors", "units", "kind")
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("grid")


class HouseholdResource(resources.ModelResource):
    grid_code = fields.Field(attribute="building__grid__code", column_name="网格编码")
    building = fields.Field(attribute="building__name", column_name="楼栋")
    unit = fields.Field(attribute="unit", column_name="单元")
    room = fields.Field(attribute="room", column_name="房号")
    kind = fields.Field(attribute="get_kind_display", column_name="户类型")
    head = fields.Field(attribute="head__name", column_name="户主")
    phone = fields.Field(attribute="phone", column_name="联系电话")

    class Meta:
        model = Household
        fields = ("grid_code", "building", "unit", "room", "kind", "head", "phone")
        export_order = fields

    def dehydrate_phone(self, household: Household) -> str:
        return mask_phone(household.phone)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("building__grid", "head")


def export_xlsx(resource: resources.ModelResource, queryset) -> bytes:
    """The queryset as an xlsx file; callers pass a queryset already narrowed by `visible_to(user)`.

    Written through core.exporting, so a formula-like value stays text.
    """
    return SafeXLSX().export_data(resource.export(queryset=queryset))


class _ExportAdminMixin(SafeExportAdminMixin):
    """Export from the admin changelist: the admin's scoped queryset, xlsx or csv, masked by the resource."""


class BuildingExportAdminMixin(_ExportAdminMixin):
    resource_classes = [BuildingResource]


class HouseholdExportAdminMixin(_ExportAdminMixin):
    resource_classes = [HouseholdResource]
