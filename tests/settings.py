"""Settings of the test process: the node's own settings, with a temporary data dir and eager tasks."""

import atexit
import os
import shutil
import tempfile

# A data dir per test process, removed when the process ends (a suite run left one per process in /tmp, on the
# machine that runs CI too). xdist's workers inherit the controller's environment, and two workers that stored media
# in one folder saw each other's files.
DATA_DIR_OWNER = "FEDINODE_TEST_DATA_DIR_OF"
if "FEDINODE_DATA_DIR" not in os.environ or os.environ.get(DATA_DIR_OWNER, str(os.getpid())) != str(os.getpid()):
    os.environ["FEDINODE_DATA_DIR"] = tempfile.mkdtemp(prefix="fedinode-test-")
    os.environ[DATA_DIR_OWNER] = str(os.getpid())
    atexit.register(shutil.rmtree, os.environ["FEDINODE_DATA_DIR"], True)
os.environ.setdefault("FEDINODE_DOMAIN", "testserver")
os.environ.setdefault("FEDINODE_INSECURE_HTTP", "1")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

# FEDINODE_TEST_BACKEND=postgres runs the suite on the scale-out back-end: PostgreSQL (pytest-django creates
# test_fedinode_test, one per xdist worker) and a Redis cache; node processes get databases of their own
# (tests/nodes.py). Only this process sees these variables: nodes set their own.
if os.environ.get("FEDINODE_TEST_BACKEND") == "postgres":
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    os.environ["DATABASE_URL"] = os.environ.get("FEDINODE_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fedinode_test")
    # A Redis database per test process (1, 2, …): cache.clear() in a test flushes only its own; node
    # processes keep their brokers and caches in database 0 under their own prefixes.
    _index = int(_worker[2:]) + 1 if _worker.startswith("gw") and _worker[2:].isdigit() else 1
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:6379/{min(_index, 15)}"
    os.environ["FEDINODE_REDIS_PREFIX"] = f"fedinode-test-{os.getpid()}-{_worker}"

from fediverse_node.settings import *  # noqa: E402,F403

# In-process tests keep the inbox in the main database (pytest-django opens only "default" per test); the node
# processes of tests/federation and tests/interop run with the separate inbox spool of the embedded default.
DATABASES.pop("inbox", None)  # noqa: F405
DATABASE_ROUTERS = []

# Pages are rendered fresh in tests (tests/community/test_cache.py turns the cache on where it is the subject).
FEDINODE_PAGE_CACHE_SECONDS = 0

# In-process tests share one client address; tests/test_ratelimit.py turns the limits on where they are the subject.
FEDINODE_RATE_LIMITS = False

# Django's default hasher spends about half a second of CPU per password on purpose; with it, hashing passwords and
# OAuth client secrets took two thirds of the in-process tests' time. The tests check who may log in, not the hash.
from tests.node_settings import FAST_PASSWORD_HASHERS  # noqa: E402

PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
