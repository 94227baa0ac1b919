"""WSGI entry point for granian (or any WSGI server)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fediverse_node.settings")
application = get_wsgi_application()
