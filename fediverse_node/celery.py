"""The Celery application: tasks run rows that live in the database (transactional inbox and outbox)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fediverse_node.settings")

app = Celery("fediverse_node")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
