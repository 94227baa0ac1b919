"""Settings of the suite's nodes (tests/nodes.py, chosen by tests/conftest.py): the node's own, with a fast hasher.

Django's default hasher spends about half a second of CPU per password on purpose. Test nodes create members
(`createorg`) and log them in hundreds of times per suite run, on two cores shared with the nodes under test. The
release check (tests/release/) runs the installed wheel with the node's own settings, hasher included, and the
benchmarks' nodes (bench/) run with them too.
"""

from fediverse_node.settings import *  # noqa: F403

FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests/settings.py uses them too
PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
