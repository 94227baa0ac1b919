"""A per-process cache of rendered fragments: no pickling, no network, bounded size.

Keys carry the version of what they render (`updated_at`), so a stale entry is never read and nothing has
to be invalidated across processes; entries with a time-to-live serve values allowed to lag (counts).
"""

import threading
import time
from collections import OrderedDict


class LocalCache:
    def __init__(self, max_entries: int = 20000):
        self.max_entries = max_entries
        self._data: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys) -> dict:
        now = time.monotonic()
        found = {}
        with self._lock:
            for key in keys:
                entry = self._data.get(key)
                if entry is not None and entry[0] > now:
                    found[key] = entry[1]
                    self._data.move_to_end(key)
        return found

    def set_many(self, values: dict, seconds: float) -> None:
        expires = time.monotonic() + seconds
        with self._lock:
            for key, value in values.items():
                self._data[key] = (expires, value)
                self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def add(self, key: str, value: object, seconds: float) -> bool:
        """Set key only if it holds nothing live; whether it was set (one caller of many wins)."""
        now = time.monotonic()
        with self._lock:
            entry = self._data.get(key)
            if entry is not None and entry[0] > now:
                return False
            self._data[key] = (now + seconds, value)
            self._data.move_to_end(key)
            return True

    def delete_many(self, keys) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


fragments = LocalCache()
