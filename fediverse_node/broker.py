"""The embedded broker: kombu's filesystem transport, made safe for several processes on one machine and fast with
a long queue.

kombu writes a message file in place and a consumer may take it before the write ends (a half-read message:
JSONDecodeError, the worker dies). Here a message is written under a temporary name and renamed into its queue's
folder when complete, and a consumer claims it by renaming it into a folder beside the queues (on the same
filesystem, so the rename is atomic: two consumers never get the same message). Registered under the
`filesystem://` scheme in fediverse_node/celery.py.

kombu keeps every queue's messages in one folder and lists and sorts all of it for every message it takes, and for
every poll of an empty queue (20 times a second per worker). With thousands of messages waiting (a fan-out, a
burst of inbox POSTs) that listing was most of a worker's time, growing with the backlog. Here each queue has a
folder of its own, and a consumer lists it only when it has taken every message it saw in the last listing:
oldest first by name (the system's monotonic clock in nanoseconds, then a random id).
"""

import contextlib
import os
import uuid
from collections import deque
from queue import Empty
from time import monotonic_ns

from kombu.transport import filesystem
from kombu.utils.json import dumps, loads

CLAIMED = "claimed"
SUFFIX = ".msg"


class Channel(filesystem.Channel):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._seen: dict[str, deque[str]] = {}  # per queue, the paths of its last listing not yet tried
        self._folders: set[str] = set()  # made already

    def _folder(self, *parts: str) -> str:
        folder = os.path.join(*parts)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return folder

    @staticmethod
    def _queue_path(base: str, queue: str) -> str:
        return os.path.join(base, queue.replace(os.sep, "_"))

    def _queue_folder(self, base: str, queue: str) -> str:
        return self._folder(self._queue_path(base, queue))

    def _put(self, queue, payload, **kwargs):  # type: ignore[override]  # kombu's filesystem.Channel narrows it so
        name = f"{monotonic_ns():020d}_{uuid.uuid4().hex}.{queue}{SUFFIX}"  # fixed width: names sort by age
        final = os.path.join(self._queue_folder(self.data_folder_out, queue), name)
        with open(final + ".tmp", "wb") as file:
            file.write(dumps(payload).encode())
        os.replace(final + ".tmp", final)

    def _get(self, queue):  # type: ignore[override]  # kombu's filesystem.Channel narrows it so
        seen = self._seen.get(queue)
        if seen is None:  # first look at this queue: also what an older version left in the shared folder
            seen = self._seen[queue] = deque(self._earlier_layout(queue))
        if not seen:
            seen.extend(self._listing(queue))
        claimed_folder = self._folder(self.data_folder_in, CLAIMED)
        while seen:
            path = seen.popleft()
            claimed = os.path.join(claimed_folder, f"{os.getpid()}-{os.path.basename(path)}")
            try:
                os.rename(path, claimed)
            except OSError:
                continue  # another consumer took it
            with open(claimed, "rb") as file:
                payload = file.read()
            os.remove(claimed)
            return loads(payload)
        raise Empty()

    def _listing(self, queue: str) -> list[str]:
        folder = self._queue_folder(self.data_folder_in, queue)
        return [os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(SUFFIX)]

    def _earlier_layout(self, queue: str) -> list[str]:
        """Messages of this queue in the shared folder, where kombu and earlier versions of the node put them."""
        wanted = f"{queue}{SUFFIX}"
        folder = self.data_folder_in
        return [os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.partition(".")[2] == wanted]

    def _delete(self, queue, *args, **kwargs) -> None:
        """A deleted queue (a remote-control reply queue, say) takes its folder along once it is empty."""
        super()._delete(queue, *args, **kwargs)
        self._seen.pop(queue, None)
        folder = self._queue_path(self.data_folder_in, queue)
        self._folders.discard(folder)
        with contextlib.suppress(OSError):  # messages still in it, or never made
            os.rmdir(folder)

    def _size(self, queue) -> int:
        return len(self._listing(queue))

    def _purge(self, queue) -> int:
        self._seen.pop(queue, None)
        removed = 0
        for path in self._listing(queue):
            try:
                os.remove(path)
            except OSError:
                continue  # taken by a consumer meanwhile
            removed += 1
        return removed


class Transport(filesystem.Transport):
    Channel = Channel

    @property
    def default_connection_params(self):
        # A folder has no host: without this kombu "reverts to default 'localhost'" with a warning on every send.
        return {}
