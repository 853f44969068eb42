"""`manage.py seed_demo`: build the demo city (Ningguo) so a fresh checkout has something to look at.

Each app contributes builders, registered in its AppConfig.ready() into `core.demo.demo_builders` with the names of
the builders it reads from (`after`); core knows none of them. Builders are idempotent (each checks its own marker
and skips), deterministic (each has a random stream seeded from the run's seed and its own name), and share what
they made through `ctx.shared`. The run is one transaction: a failure leaves the database as it was.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.module_loading import import_string

from core.demo import DEMO_SEED, DemoContext, DemoDataError, Progress, demo_builders


class Command(BaseCommand):
    help = "Build the demo city (宁国): organization tree, Party members, posts and one login per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1, help="Multiply the number of people (default 1).")
        parser.add_argument("--members", type=int, help="Exact number of Party members (default 2,000 × scale).")
        parser.add_argument("--seed", type=int, default=DEMO_SEED, help="Random seed; the same seed, the same city.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (it creates a superuser with a known password).",
        )

    def handle(self, *args: Any, scale: int, members: int | None, seed: int, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Pass --force to seed demo data anyway.")
        if scale < 1 or (members is not None and members < 1):
            raise CommandError("--scale and --members must be positive.")
        ctx = DemoContext(seed=seed, scale=scale, members=members, say=Progress(self.stdout.write))
        try:
            with transaction.atomic():
                for builder in demo_builders.ordered():
                    import_string(builder.value)(ctx.for_builder(builder.key))
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        ctx.say("done")
        for line in ctx.epilogue:
            self.stdout.write(line)
