"""The open streams of one streaming process and the one bus reader that feeds them."""

import asyncio
import logging
from collections import defaultdict

from .bus import ANNOUNCE_SECONDS, bus

log = logging.getLogger(__name__)

QUEUE_LIMIT = 1000  # messages waiting for a slow client; beyond that it is disconnected


class Stream:
    """One client connection: its subscriptions (bus key -> Mastodon's stream label), the authors it does not
    want to see (blocks and mutes, read when it connected) and the messages waiting to be sent."""

    def __init__(self, *, hidden: set[int]):
        self.hidden = hidden
        self.labels: dict[str, tuple[str, ...]] = {}
        self.queue: asyncio.Queue[dict | None] = asyncio.Queue(QUEUE_LIMIT)

    def offer(self, key: str, event: dict) -> None:
        if self.hidden and any(author in self.hidden for author in event.get("authors", ())):
            return
        message = {"stream": list(self.labels[key]), "event": event["event"], "payload": event["payload"]}
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.queue = asyncio.Queue(1)
            self.queue.put_nowait(None)  # None ends the stream: the client reconnects and starts afresh


class Hub:
    def __init__(self):
        self.streams: dict[str, set[Stream]] = defaultdict(set)
        self._reader: asyncio.Task | None = None
        self._announcer: asyncio.Task | None = None
        self.received = 0

    def subscribe(self, stream: Stream, key: str, label: tuple[str, ...]) -> None:
        stream.labels[key] = label
        self.streams[key].add(stream)
        self.start()

    def start(self) -> None:
        """Start reading the bus and announcing what this process listens to (at startup, and again should
        either have ended)."""
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(self._read())
        if self._announcer is None or self._announcer.done():
            self._announcer = asyncio.get_running_loop().create_task(self._announce())

    async def _announce(self) -> None:
        """Tell the writers, again and again, which keys this process's streams listen to (bus.keys_listened)."""
        while True:
            await asyncio.sleep(ANNOUNCE_SECONDS)
            if self.streams:
                try:
                    await asyncio.to_thread(bus().announce, list(self.streams))
                except Exception as error:  # Redis restarting: the next round tries again
                    log.warning("streaming: announcing the open streams failed (%s)", error)

    def unsubscribe(self, stream: Stream, key: str) -> None:
        stream.labels.pop(key, None)
        listeners = self.streams.get(key)
        if listeners is not None:
            listeners.discard(stream)
            if not listeners:
                del self.streams[key]

    def close(self, stream: Stream) -> None:
        for key in list(stream.labels):
            self.unsubscribe(stream, key)

    def dispatch(self, event: dict) -> None:
        self.received += 1
        for key in event.get("keys", ()):
            for stream in tuple(self.streams.get(key, ())):
                stream.offer(key, event)

    async def _read(self) -> None:
        """Read the bus for as long as the process runs; after a failure (Redis restarting) start again."""
        while True:
            try:
                async for event in bus().listen():
                    self.dispatch(event)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a broken connection, a broken message: log and read on
                log.warning("streaming bus reader stopped (%s); starting again", error)
                await asyncio.sleep(1)


hub = Hub()
