"""The event bus between the processes that write (web, workers) and the streaming processes that serve streams.

Redis pub/sub when REDIS_URL is set (any number of machines); otherwise an SQLite file in the data directory that
the streaming process polls (one machine, no server). An event is a dict: `keys` (the streams it goes to, see
`streams`), `event` (Mastodon's event name), `payload` (a string, as Mastodon sends it) and `authors` (whose
posts it shows, for each reader's blocks and mutes)."""

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings

POLL_SECONDS = 0.05  # the SQLite bus: how often the streaming process looks for new events
KEEP_SECONDS = 120  # the SQLite bus keeps events this long (a reader is never further behind)
# Writers render an event only for keys some stream listens to (as Mastodon asks Redis for `subscribed:…` first).
# A streaming process says which keys it serves when a stream subscribes and again every ANNOUNCE_SECONDS; a key
# counts as listened to for LISTENING_SECONDS after that (a process that died stops counting on its own).
ANNOUNCE_SECONDS = 20
LISTENING_SECONDS = 60
# Announced with the keys while any hashtag stream is open (no stream has this key): a writer asks for it before it
# reads the tags of the posts it publishes.
ANY_HASHTAG = "hashtag-any"


def _with_markers(keys: list[str]) -> list[str]:
    return keys + [ANY_HASHTAG] if any(key.startswith("hashtag:") for key in keys) else keys


def _channel() -> str:
    return f"{settings.REDIS_PREFIX}:streaming"


def _redis_url() -> str:
    return settings.STREAMING_REDIS_URL


class SqliteBus:
    """Events in a table of their own file; readers poll for ids above the last one they saw."""

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()
        self._published = 0

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS event (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, body BLOB NOT NULL)"
            )
            connection.execute("CREATE TABLE IF NOT EXISTS listening (key TEXT PRIMARY KEY, until REAL NOT NULL)")
            self._local.connection = connection
        return connection

    def announce(self, keys: list[str]) -> None:
        now, connection, keys = time.time(), self._connection(), _with_markers(keys)
        connection.executemany(
            "INSERT INTO listening (key, until) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET until = excluded.until",
            [(key, now + LISTENING_SECONDS) for key in keys],
        )
        # anyone may open hashtag streams with tags of their choosing: keys nobody serves any more go (Redis
        # lets them expire)
        connection.execute("DELETE FROM listening WHERE until < ?", (now,))

    def listening(self, keys: list[str]) -> set[str]:
        connection, now, found = self._connection(), time.time(), set()
        for start in range(0, len(keys), 500):  # SQLite's limit on the parameters of one statement
            part = keys[start:start + 500]
            marks = ",".join("?" * len(part))
            found |= {row[0] for row in connection.execute(
                f"SELECT key FROM listening WHERE until > ? AND key IN ({marks})", (now, *part))}
        return found

    def publish(self, events: list[dict]) -> None:
        connection = self._connection()
        now = time.time()
        connection.executemany(
            "INSERT INTO event (at, body) VALUES (?, ?)", [(now, orjson.dumps(event)) for event in events]
        )
        self._published += 1
        if self._published % 200 == 1:  # now and then, not on every write
            connection.execute("DELETE FROM event WHERE at < ?", (now - KEEP_SECONDS,))

    def _after(self, last: int) -> list[tuple[int, bytes]]:
        return self._connection().execute("SELECT id, body FROM event WHERE id > ? ORDER BY id", (last,)).fetchall()

    def _last(self) -> int:
        return self._connection().execute("SELECT COALESCE(MAX(id), 0) FROM event").fetchone()[0]

    async def listen(self) -> AsyncIterator[dict]:
        last = await asyncio.to_thread(self._last)
        while True:
            rows = await asyncio.to_thread(self._after, last)
            for row_id, body in rows:
                last = row_id
                yield orjson.loads(body)
            await asyncio.sleep(POLL_SECONDS)


class RedisBus:
    """Events published on one Redis channel; every streaming process subscribes to it."""

    def __init__(self, url: str):
        self.url = url
        self._client: Any = None  # a redis.Redis, made on first use

    def _redis(self) -> Any:
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self.url)
        return self._client

    def publish(self, events: list[dict]) -> None:
        pipe = self._redis().pipeline(transaction=False)
        for event in events:
            pipe.publish(_channel(), orjson.dumps(event))
        pipe.execute()

    def announce(self, keys: list[str]) -> None:
        pipe = self._redis().pipeline(transaction=False)
        for key in _with_markers(keys):
            pipe.set(f"{_channel()}:listening:{key}", b"1", ex=LISTENING_SECONDS)
        pipe.execute()

    def listening(self, keys: list[str]) -> set[str]:
        values = self._redis().mget([f"{_channel()}:listening:{key}" for key in keys])
        return {key for key, value in zip(keys, values, strict=True) if value is not None}

    async def listen(self) -> AsyncIterator[dict]:
        import redis.asyncio

        client = redis.asyncio.Redis.from_url(self.url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(_channel())
        try:
            async for message in pubsub.listen():
                if message and message.get("type") == "message":
                    yield orjson.loads(message["data"])
        finally:
            await pubsub.aclose()
            await client.aclose()


_bus: SqliteBus | RedisBus | None = None


def bus() -> SqliteBus | RedisBus:
    """This process's bus, chosen by the settings."""
    global _bus
    if _bus is None:
        url = _redis_url()
        _bus = RedisBus(url) if url else SqliteBus(settings.DATA_DIR / "streaming.sqlite3")
    return _bus


def events_publish(*, events: list[dict]) -> None:
    if events:
        bus().publish(events)


def keys_listened(keys: set[str]) -> set[str]:
    """Those of keys that a stream listens to now (see ANNOUNCE_SECONDS)."""
    return bus().listening(sorted(keys)) if keys else set()
