"""Shared machinery for `manage.py seed_demo`: the context every app's demo builder receives, and the makers of
plausible personal data (names, ID numbers, mobiles) that pass the same validators the portal applies to real input.

Every builder gets its own random stream derived from the run's seed and the builder's dotted path, so one app's
demo data stays the same city whether or not the builders before it ran in the same process (on a second run they
skip, and consume nothing). What builders make for later builders goes into `shared`; ID numbers and phones are
unique across all builders of one run through the makers on the context.
"""

from __future__ import annotations

import datetime
import random
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import phonenumbers
from django.db import models
from faker import Faker
from stdnum.cn import ric

from core.registry import Registry
from core.validators import MALE

DEMO_SEED = 20160701
# "Today" for the demo city: ages, join dates and terms of office are reckoned from here, not from the clock, so
# every run builds the same city. It must not lie in the future of any machine that runs the command.
DEMO_TODAY = datetime.date(2026, 7, 1)

M = TypeVar("M", bound=models.Model)

# The builders `seed_demo` runs: each app registers its own in AppConfig.ready() as
# `demo_builders.register(name, "<app>.demo.build", after=[names it reads from])`. The name seeds the builder's
# random stream (so it stays put when a builder moves between apps); `after` names what it reads from ctx.shared.
demo_builders = Registry("demo builders")


class DemoDataError(Exception):
    """The demo cannot be built as asked (e.g. too few members for every committee); shown without a traceback."""


def ningguo_area_code(birth_year: int) -> str:
    """Ningguo's ID-card area code as it stood in the birth year (stdnum checks the code against the year)."""
    if birth_year < 1997:
        return "342524"  # 宁国县, Xuancheng prefecture
    if birth_year < 2000:
        return "342502"  # 宁国市, county-level city under Xuancheng prefecture
    return "341881"  # 宁国市, under Xuancheng city


class IdNumbers:
    """Makes valid 18-digit Ningguo ID numbers, never the same one twice in a run."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def reserve(self, numbers: Iterable[str]) -> None:
        """Mark numbers already in the database as taken (the active-member ID number is unique)."""
        self._used.update(numbers)

    def make(self, rng: random.Random, birth_date: datetime.date, gender: str) -> str:
        prefix = f"{ningguo_area_code(birth_date.year)}{birth_date:%Y%m%d}"
        parity = 1 if gender == MALE else 0  # the 17th digit is odd for men, even for women
        for _ in range(1000):
            body = f"{prefix}{rng.randrange(1, 500) * 2 + parity:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self._used:
                self._used.add(number)
                return number
        raise RuntimeError(f"No free ID number left for {birth_date} {gender}")


# Long-established mainland mobile prefixes (China Mobile, Unicom, Telecom) that phonenumbers accepts in full.
MOBILE_PREFIXES = (
    *(f"13{d}" for d in range(10)),
    *("150", "151", "152", "153", "155", "156", "157", "158", "159"),
    *("177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "199"),
)


class Mobiles:
    """Makes valid, distinct mainland mobile numbers in the national form the portal stores."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def make(self, rng: random.Random) -> str:
        while True:
            number = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
            if number not in self._used and phonenumbers.is_valid_number(phonenumbers.parse(number, "CN")):
                self._used.add(number)
                return number


class Progress:
    """Prints one line per step with the time since the run began."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._started = time.monotonic()

    def __call__(self, message: str) -> None:
        self._write(f"[{time.monotonic() - self._started:5.1f}s] {message}")


@dataclass
class DemoContext:
    """What each builder receives. `rng` and `faker` are the builder's own seeded streams."""

    seed: int
    scale: int
    members: int | None
    say: Callable[[str], None]
    rng: random.Random = field(default_factory=random.Random)
    faker: Faker = field(default_factory=lambda: Faker("zh_CN"))
    shared: dict[str, Any] = field(default_factory=dict)
    epilogue: list[str] = field(default_factory=list)
    id_numbers: IdNumbers = field(default_factory=IdNumbers)
    mobiles: Mobiles = field(default_factory=Mobiles)

    def for_builder(self, name: str) -> DemoContext:
        """A view of this context with random streams of its own, seeded from the run's seed and `name`."""
        rng = random.Random(f"{self.seed}:{name}")
        faker = Faker("zh_CN")
        faker.seed_instance(rng.getrandbits(64))
        return replace(self, rng=rng, faker=faker)

    def id_number(self, birth_date: datetime.date, gender: str) -> str:
        return self.id_numbers.make(self.rng, birth_date, gender)

    def mobile(self) -> str:
        return self.mobiles.make(self.rng)

    def person_name(self, gender: str) -> str:
        # Faker's zh_CN name_male()/name_female() ignore gender; its given-name lists do not.
        given = self.faker.first_name_male() if gender == MALE else self.faker.first_name_female()
        return self.faker.last_name() + given


def random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """A uniformly chosen day between start and end, both included."""
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap target year
        return day.replace(year=day.year + years, day=28)


def spread(rng: random.Random, total: int, buckets: int, minimum: int = 0) -> list[int]:
    """Split `total` over `buckets`, each at least `minimum`, the rest at random (e.g. 47 grids over 18 communities)."""
    if total < buckets * minimum:
        raise DemoDataError(f"Cannot spread {total} over {buckets} buckets of at least {minimum}")
    counts = [minimum] * buckets
    # Deal the remainder like cards so the counts stay even (18 communities get 2 or 3 grids, never 1 and 6).
    order = list(range(buckets))
    rest = total - buckets * minimum
    while rest > 0:
        rng.shuffle(order)
        for index in order[:rest]:
            counts[index] += 1
        rest -= min(rest, buckets)
    return counts


def bulk_create(model: type[M], objects: Sequence[M], *, batch_size: int = 500) -> list[M]:
    """Insert many rows in a few statements; primary keys come back on PostgreSQL and SQLite alike."""
    return model._default_manager.bulk_create(objects, batch_size=batch_size)


def text_width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def format_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A plain-text table aligned for terminals that show Chinese at double width."""
    rows = [list(map(str, row)) for row in rows]
    widths = [max(text_width(row[i]) for row in [list(headers), *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell + " " * (width - text_width(cell)) for cell, width in zip(cells, widths, strict=True))

    return [line(headers).rstrip(), "  ".join("-" * width for width in widths), *(line(row).rstrip() for row in rows)]
