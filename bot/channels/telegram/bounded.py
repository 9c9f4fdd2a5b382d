"""Per-chat memory with a ceiling: the least recently used chats are forgotten first.

The channel keeps small facts per chat (which message carries buttons, who is known to be
reachable or blocked). Each is a cache of something that is also true without it (a stale
keyboard is answered as stale; reachability is in storage and a 403 says it again), so
forgetting the oldest is safe, and a bot that meets a million chats keeps a bounded map.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

MAX_CHATS = 10_000  # chats remembered per map; more than are active at once in one bot


class LruDict(Generic[K, V]):
    """A mapping that keeps at most ``limit`` keys, dropping the least recently used."""

    def __init__(self, limit: int = MAX_CHATS) -> None:
        self.limit = limit
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.limit:
            self._items.popitem(last=False)

    def __delitem__(self, key: K) -> None:
        del self._items[key]

    def pop(self, key: K, default: V | None = None) -> V | None:
        return self._items.pop(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)


class LruSet(Generic[K]):
    """A set that keeps at most ``limit`` members, dropping the least recently added."""

    def __init__(self, limit: int = MAX_CHATS) -> None:
        self._items: LruDict[K, bool] = LruDict(limit)

    def add(self, key: K) -> None:
        self._items[key] = True

    def discard(self, key: K) -> None:
        self._items.pop(key)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)
