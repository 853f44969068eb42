"""Export of residents (django-import-export) in the same columns the import reads, masked.

ID numbers and phones go through core.masking, the one masking mechanism, for every user: an exported file leaves
the portal, where no access log can follow it. A masked file therefore cannot be re-imported as it is (the ID
checksum fails), which is intended.
"""

from import_export import fields, resources

from core.masking import mask_id_number, mask_phone
from grids.resources import export_xlsx
from residents.models import Resident


class ResidentResource(resources.ModelResource):
    grid_code = fields.Field(attribute="household__building__grid__code", column_name="网格编码")
    building = fields.Field(attribute="household__building__name", column_name="楼栋")
    unit = fields.Field(attribute="household__unit", column_name="单元")
    room = fields.Field(attribute="household__room", column_name="房号")
    household_kind = fields.Field(attribute="household__get_kind_display", column_name="户类型")
    name = fields.Field(attribute="name", column_name="姓名")
    id_number = fields.Field(attribute="id_number", column_name="身份证号")
    gender = fields.Field(attribute="get_gender_display", column_name="性别")
    birth_date = fields.Field(attribute="birth_date", column_name="出生日期")
    phone = fields.Field(attribute="phone", column_name="手机号")
    relation = fields.Field(attribute="get_relation_display", column_name="与户主关系")
    status = fields.Field(attribute="get_status_display", column_name="居住状态")
    ethnicity = fields.Field(attribute="ethnicity", column_name="民族")
    political_status = fields.Field(attribute="get_political_status_display", column_name="政治面貌")
    tags = fields.Field(column_name="关爱标签")

    class Meta:
        model = Resident
        fields = (
            "grid_code", "building", "unit", "room", "household_kind", "name", "id_number", "gender", "birth_date",
            "phone", "relation", "status", "ethnicity", "political_status", "tags",
        )  # fmt: skip
        export_order = fields

    def dehydrate_id_number(self, resident: Resident) -> str:
        return mask_id_number(resident.id_number)

    def dehydrate_phone(self, resident: Resident) -> str:
        return mask_phone(resident.phone)

    def dehydrate_tags(self, resident: Resident) -> str:
        return ",".join(tag.name for tag in resident.tags.all())

    def filter_export(self, queryset, **kwargs):
        # Constant queries however many rows: the path to the grid in one join, tags in one prefetch per page.
        return queryset.select_related("household__building__grid").prefetch_related("tags")


def export_residents_xlsx(user, queryset=None) -> bytes:
    """The residents `user` may see (optionally narrowed further by `queryset`) as a masked xlsx file."""
    queryset = (queryset if queryset is not None else Resident.objects.all()).visible_to(user)
    return export_xlsx(ResidentResource(), queryset)
