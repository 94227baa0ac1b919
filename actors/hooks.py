"""What rooms above actors do when actors change something of theirs: they listen here when the apps load (their
apps.py), and actors calls them without importing them (docs/architecture.md, import direction). Called explicitly
by the service that made the change, inside its transaction, not by a model signal on every save."""

from collections.abc import Callable

Listener = Callable[..., object]


class Hook:
    """One point of change: `listen` adds a function (once), `call` runs them all with keyword arguments."""

    def __init__(self, called_with: str) -> None:
        self.called_with = called_with
        self._listeners: list[Listener] = []

    def listen(self, listener: Listener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def call(self, **arguments) -> None:
        for listener in self._listeners:
            listener(**arguments)


# A refreshed remote actor document came with another `location` (community moves the member's pin).
remote_location_moved = Hook("actor: Actor")
# A server's media are rejected or it is suspended: what we keep of its actors' media goes (posts drops attachments).
remote_media_dropped = Hook("actors: QuerySet[Actor], now: datetime (the updated_at to set)")
# A follow became active, or ended: posts fills or empties the follower's home feed.
follow_started = Hook("follower: Actor, target: Actor")
follow_ended = Hook("follower: Actor, target: Actor")
# A local actor has a new follower, or a request to decide (requested=True): posts notifies it.
follow_noticed = Hook("recipient: Actor, from_actor: Actor, requested: bool")
# Local actors have new followers at once (a batch of the inbox): posts notifies them in one write.
follows_noticed = Hook("pairs: list[tuple[Actor, Actor]] (recipient, new follower)")
