"""Registries that domain apps fill, so a base app can use what they offer without importing them.

core sits at the bottom of the layers (tests/test_layers.py): it may not import accounts, grids or any other app of
ours. Where core runs something each app contributes (a grid worker's scope, the demo builders, later the dashboard
figure families), it owns a `Registry` and each app adds its entries in its `AppConfig.ready()`. The base app reads
the registry; the import points from the domain app down to core, never up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Entry:
    key: Any
    value: Any
    after: tuple[Any, ...] = field(default=())


class Registry:
    """Entries by key, in an order every run agrees on: each entry after the keys it names in `after`, otherwise in
    the order they were registered (which is INSTALLED_APPS order, as `ready()` runs in that order)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[Any, Entry] = {}

    def register(self, key: Any, value: Any, *, after: Iterable[Any] = ()) -> None:
        """Add `value` under `key`; registering the same key with the same value again (a second `ready()`) is
        harmless, with another value it is a mistake."""
        known = self._entries.get(key)
        if known is not None and known.value != value:
            raise ImproperlyConfigured(f"{self.name}: {key!r} is already registered as {known.value!r}.")
        self._entries[key] = Entry(key, value, tuple(after))

    def unregister(self, key: Any) -> None:
        self._entries.pop(key, None)

    def get(self, key: Any, default: Any = None) -> Any:
        entry = self._entries.get(key)
        return default if entry is None else entry.value

    def __contains__(self, key: Any) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def ordered(self) -> list[Entry]:
        """Every entry after those it names in `after` (a stable topological order); a name that is missing or a
        cycle is a configuration error, not something to guess around."""
        done: dict[Any, Entry] = {}
        waiting = list(self._entries.values())
        while waiting:
            ready = next((entry for entry in waiting if all(key in done for key in entry.after)), None)
            if ready is None:
                raise ImproperlyConfigured(f"{self.name}: unknown or circular `after` in {_describe(waiting)}.")
            done[ready.key] = ready
            waiting.remove(ready)
        return list(done.values())

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.ordered())


def _describe(entries: list[Entry]) -> str:
    return ", ".join(f"{entry.key!r} after {list(entry.after)!r}" for entry in entries)
