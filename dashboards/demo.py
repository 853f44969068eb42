"""The dashboards' part of `seed_demo`: a full refresh of the summary table once every other builder has run, so the
demo's official logs in on a city dashboard already filled (a year of tickets drawn as trends, the coverage gaps,
and whatever the other families count), instead of an empty page until the first beat run.

It always runs, even when the other builders found their data in place and skipped: rebuilding is idempotent (the
facts are recomputed from the live rows) and takes a moment at the demo's size.
"""

from __future__ import annotations

from core.demo import DemoContext
from dashboards.refresh import refresh_dashboards


def build(ctx: DemoContext) -> None:
    result = refresh_dashboards(full=True)
    ctx.say(f"dashboards: summary table rebuilt ({result.facts} facts)")
