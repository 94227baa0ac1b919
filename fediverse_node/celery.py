"""The Celery application: tasks run rows that live in the database (transactional inbox and outbox)."""

import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

# filesystem:// (the embedded default) is kombu's transport with atomic writes and claims (fediverse_node/broker.py).
TRANSPORT_ALIASES["filesystem"] = "fediverse_node.broker:Transport"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fediverse_node.settings")

app = Celery("fediverse_node")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
