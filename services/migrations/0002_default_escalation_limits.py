from django.db import migrations

# Working hours a ticket may stay at each level past its deadline before it climbs (editable in the admin).
DEFAULT_LIMITS = {"grid": 8, "community": 16, "street": 24, "district": 40}


def add_limits(apps, schema_editor):
    EscalationLimit = apps.get_model("services", "EscalationLimit")
    for level, hours in DEFAULT_LIMITS.items():
        EscalationLimit.objects.get_or_create(level=level, defaults={"working_hours": hours})


def remove_limits(apps, schema_editor):
    apps.get_model("services", "EscalationLimit").objects.filter(level__in=DEFAULT_LIMITS).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]
    operations = [migrations.RunPython(add_limits, remove_limits)]
