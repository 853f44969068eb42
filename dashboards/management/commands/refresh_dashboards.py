from django.core.management.base import BaseCommand

from dashboards.refresh import refresh_dashboards


class Command(BaseCommand):
    help = "Recompute the dashboards' summary facts: the leaves touched since the last run, or all with --full."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild every leaf, not only the touched ones")

    def handle(self, *args, full: bool = False, **options):
        result = refresh_dashboards(full=full)
        took = (result.computed_at - result.started_at).total_seconds()
        kind = "full" if result.full else f"{result.leaves} touched leaves"
        self.stdout.write(f"dashboards refreshed ({kind}): {result.facts} facts in {took:.2f} s")
