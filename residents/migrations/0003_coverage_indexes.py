"""Partial indexes for the coverage report over current residents (registered or floating).

Written as SQL rather than Meta.indexes so they stay the coverage report's business: the report's occupied-household
semi-join reads (household_id) of current residents only, and the care-household subquery maps a tagged resident to
their household without visiting the table, both as index-only scans.
"""

from django.db import migrations

CURRENT = "status IN ('registered', 'floating')"


class Migration(migrations.Migration):
    dependencies = [("residents", "0002_default_care_tags")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX residents_current_household_idx ON residents_resident (household_id) WHERE {CURRENT}",
            "DROP INDEX residents_current_household_idx",
        ),
        migrations.RunSQL(
            f"CREATE INDEX residents_current_id_household_idx ON residents_resident (id, household_id) WHERE {CURRENT}",
            "DROP INDEX residents_current_id_household_idx",
        ),
    ]
