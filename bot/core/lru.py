"""A bounded least-recently-used map and set: storage's state and person-id caches, and
the Telegram channel's per-chat memory. Only ever a cache of something also true without
it, so forgetting the oldest entry is safe and memory stays bounded however many people
the bot meets."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """Keeps at most ``capacity`` entries, dropping the one used longest ago.

    Not thread-safe: it is only touched from the event loop.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The value (now the most recently used), or None."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` as the most recently used, forgetting the oldest beyond capacity."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    __setitem__ = put

    def pop(self, key: K, default: V | None = None) -> V | None:
        """Forget ``key``; its value, or ``default`` if it was not kept."""
        return self._items.pop(key, default)

    def clear(self) -> None:
        """Forget every entry (the storage is closing)."""
        self._items.clear()

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)


class LRUSet(Generic[K]):
    """A set that keeps at most ``capacity`` members, dropping the least recently added."""

    def __init__(self, capacity: int) -> None:
        self._items: LRU[K, bool] = LRU(capacity)

    def add(self, key: K) -> None:
        """Remember ``key`` as the most recently used, dropping the oldest if full."""
        self._items.put(key, True)

    def discard(self, key: K) -> None:
        """Forget ``key`` if present."""
        self._items.pop(key)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)
