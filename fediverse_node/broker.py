"""The embedded broker: kombu's filesystem transport, made safe for several processes on one machine.

kombu writes a message file in place and a consumer may take it before the write ends (a half-read message:
JSONDecodeError, the worker dies). Here a message is written under a temporary name and renamed into the queue
folder when complete, and a consumer claims it by renaming it into a folder beside the queue (on the same
filesystem, so the rename is atomic: two consumers never get the same message). Registered under the
`filesystem://` scheme in fediverse_node/celery.py.
"""

import os
import uuid
from queue import Empty
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.json import dumps, loads

CLAIMED = "claimed"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):  # type: ignore[override]  # kombu's filesystem.Channel narrows it so
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        with open(final + ".tmp", "wb") as file:
            file.write(dumps(payload).encode())
        os.replace(final + ".tmp", final)

    def _get(self, queue):  # type: ignore[override]  # kombu's filesystem.Channel narrows it so
        wanted = f"{queue}.msg"
        claimed_folder = os.path.join(self.data_folder_in, CLAIMED)
        os.makedirs(claimed_folder, exist_ok=True)
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(claimed_folder, f"{os.getpid()}-{name}")
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except OSError:
                continue  # another consumer took it
            with open(claimed, "rb") as file:
                payload = file.read()
            os.remove(claimed)
            return loads(payload)
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel

    @property
    def default_connection_params(self):
        # A folder has no host: without this kombu "reverts to default 'localhost'" with a warning on every send.
        return {}
