"""Rendered post cards, kept per process: the card is most of a feed page's rendering work.

A card's key holds everything it shows (community/cards.py: the language, the viewer, the post's and its author's
`updated_at`, its attachments, reply count and poll), so a changed post or author is a new key and nothing is
invalidated across processes: caches in the embedded default live per process, keyed on what is read from the
database."""

import threading
from collections import OrderedDict


class Fragments:
    """A bounded least-recently-used map of rendered HTML."""

    def __init__(self, max_entries: int = 5000):
        self.max_entries = max_entries
        self._data: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self._lock:
            html = self._data.get(key)
            if html is not None:
                self._data.move_to_end(key)
            return html

    def set(self, key: tuple, html: str) -> None:
        with self._lock:
            self._data[key] = html
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


post_cards = Fragments()


kept_parts = Fragments(max_entries=2000)
"""Parts of pages ({% keep %} in community/templatetags/kept.py): header, footer, filter forms."""

member_entries = Fragments()
"""Directory entries ({% member_entry %} in community/templatetags/member_entries.py)."""
