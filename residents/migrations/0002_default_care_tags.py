from django.db import migrations

DEFAULT_TAGS = [
    ("elderly_alone", "空巢独居老人", True),
    ("left_behind_woman", "留守妇女", True),
    ("left_behind_child", "留守儿童", True),
    ("low_income", "低保户", True),
    ("disabled", "残疾人", True),
    ("unemployed", "失业人员", True),
    ("community_correction", "社区矫正人员", True),
    ("key_person", "重点人员", True),
]


def add_tags(apps, schema_editor):
    CareTag = apps.get_model("residents", "CareTag")
    for order, (code, name, care) in enumerate(DEFAULT_TAGS):
        CareTag.objects.get_or_create(code=code, defaults={"name": name, "needs_care_visits": care, "sort_order": order})


def remove_tags(apps, schema_editor):
    apps.get_model("residents", "CareTag").objects.filter(code__in=[c for c, _, _ in DEFAULT_TAGS]).delete()


class Migration(migrations.Migration):
    dependencies = [("residents", "0001_initial")]
    operations = [migrations.RunPython(add_tags, remove_tags)]
