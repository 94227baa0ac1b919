"""What rooms above actors do when a remote actor changes: they register here when the apps load (their apps.py),
and actors calls them without importing them (docs/architecture.md, import direction). Called explicitly by the
service that made the change, inside its transaction, not by a model signal on every save."""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Actor

LocationListener = Callable[..., object]  # called as listener(actor=actor)

_location_listeners: list[LocationListener] = []


def remote_location_listen(listener: LocationListener) -> None:
    """Call `listener(actor=...)` whenever a refreshed remote actor document comes with another `location`."""
    if listener not in _location_listeners:
        _location_listeners.append(listener)


def remote_location_moved(*, actor: "Actor") -> None:
    for listener in _location_listeners:
        listener(actor=actor)
