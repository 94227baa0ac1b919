"""Environment of the test process itself, set before Django reads its settings."""

import os
import tempfile

os.environ.setdefault("FEDINODE_DATA_DIR", tempfile.mkdtemp(prefix="fedinode-test-"))
os.environ.setdefault("FEDINODE_DOMAIN", "testserver")
os.environ.setdefault("FEDINODE_INSECURE_HTTP", "1")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
