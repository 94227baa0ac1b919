"""Shared fixtures: real node processes for federation and interop tests."""

import gc
import os
import uuid
from pathlib import Path

import pytest

from tests import node_templates
from tests.nodes import NODE_SETTINGS_VARIABLE, Node

# Node processes sized for tests: one web worker and one Celery worker process (its threads wait on the network),
# instead of one per core each. A test that needs more asks for it in its own env (tests/federation/test_faults.py).
# Set here, not in tests/nodes.py: the benchmarks (bench/) start their nodes as deployed.
# The streaming process starts only for the tests of streaming, which ask for it (FEDINODE_STREAMING_WORKERS).
NODE_SIZE = {"FEDINODE_WEB_WORKERS": "1", "FEDINODE_WORKER_PROCESSES": "1", "FEDINODE_STREAMING_WORKERS": "0"}
# and with a fast password hasher (tests/node_settings.py)
NODE_SETTINGS = {NODE_SETTINGS_VARIABLE: "tests.node_settings"}


def pytest_configure(config):
    for name, value in {**NODE_SIZE, **NODE_SETTINGS}.items():
        os.environ.setdefault(name, value)
    if config.pluginmanager.hasplugin("xdist") and config.getoption("numprocesses", None) \
            and not hasattr(config, "workerinput"):
        # an xdist controller, before it starts its workers: they share one set of node templates
        os.environ.setdefault(node_templates.RUN_VARIABLE, uuid.uuid4().hex[:16])
    _postgres_flush_by_delete()
    _rsa_keys_from_a_pool()


class RsaKeyPool:
    """RSA keys made once per test process and handed out again in every test, in the same order: the actors of one
    test still hold keys of their own, different from each other. Making an RSA-2048 key costs 50-100 ms of CPU
    (and parsing each new PEM 30 ms more), and the in-process tests made thousands; the nodes make their own.
    A key made for a fixture wider than one test is never handed out again (pytest_fixture_setup below)."""

    def __init__(self, generate):
        self.generate = generate
        self.keys: dict[tuple, object] = {}
        self.used = 0
        self.fresh = 0  # > 0 while a module- or session-wide fixture is being made

    def __call__(self, public_exponent: int, key_size: int, backend=None):
        if self.fresh:
            return self.generate(public_exponent=public_exponent, key_size=key_size)
        slot = (public_exponent, key_size, self.used)
        self.used += 1
        if slot not in self.keys:
            self.keys[slot] = self.generate(public_exponent=public_exponent, key_size=key_size)
        return self.keys[slot]


RSA_KEYS: RsaKeyPool | None = None


def _rsa_keys_from_a_pool() -> None:
    global RSA_KEYS
    from cryptography.hazmat.primitives.asymmetric import rsa

    RSA_KEYS = RsaKeyPool(rsa.generate_private_key)
    rsa.generate_private_key = RSA_KEYS  # type: ignore[assignment]


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    pool = RSA_KEYS if fixturedef.scope != "function" else None
    if pool is not None:
        pool.fresh += 1
    try:
        yield
    finally:
        if pool is not None:
            pool.fresh -= 1


@pytest.fixture(autouse=True)
def _rsa_key_pool_from_the_start():
    """Each test takes the pool's keys from the first."""
    if RSA_KEYS is not None:
        RSA_KEYS.used = 0


@pytest.fixture(scope="session", autouse=True)
def _ended_threads_connections_closed(django_db_setup):
    """Ends just before the test databases are dropped: a thread that has ended (the executor of each asyncio.run
    in the RSGI front's tests) leaves its database connection to the garbage collector, and PostgreSQL refuses to
    drop a database that a connection is still open to ("being accessed by other users", the database left behind:
    once in four full runs, two in three of the modules that end with such a test)."""
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def _site_language_after_each_test():
    """Each test starts in the site's language: Django's LocaleMiddleware activates a request's language on its
    thread and leaves it there, so a test client's `Accept-Language: en` made the next test on that worker English
    (a service's German sentence then came out in English)."""
    yield
    from django.utils import translation

    translation.deactivate()


FROM_THE_MODELS = {"django_content_type", "auth_permission"}


def _postgres_flush_by_delete() -> None:
    """Empty the test database after a transactional test (django_db(transaction=True)) with DELETE, as Django does
    on SQLite, instead of one TRUNCATE of every table: PostgreSQL makes new files for each truncated table and its
    indexes, about 0.3 s per test on a quiet machine and up to 3 s on a busy one, when these tables hold a few
    rows. Django's foreign keys are deferred on PostgreSQL, so the order of the DELETEs does not matter. Content types
    and permissions stay: they follow from the models, and the flush would only make them again (post_migrate)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
                for table in tables if table not in FROM_THE_MODELS]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


# The modules that take longest, longest first (from `--durations`, both back-ends): handed out first, so that no
# long module starts when the other worker has nothing left (dev.py runs xdist without its reorder). Then the other
# modules that start nodes or a browser, then the rest, each group in collection order.
LONGEST_FIRST = [
    "release/test_wheel.py", "browser/test_every_page.py", "browser/test_hostile.py", "operator/test_doctor.py",
    "federation/test_website_federation.py", "federation/test_streaming.py", "federation/test_member_feeds.py",
    "federation/test_faults.py", "test_ratelimit.py", "operator/test_commands.py", "federation/test_authorized_fetch.py",
    "interop/test_fedify.py", "browser/test_site.py", "interop/test_fedify_reach.py", "browser/test_layout.py",
    "federation/test_inbox_forwarding.py", "federation/test_groups.py", "federation/test_run_command.py",
    "browser/test_scouts.py", "interop/test_toot.py", "release/test_dockerfile.py", "release/test_upgrade.py",
]
WITH_PROCESSES = ("release", "browser", "federation", "interop", "operator", "streaming", "security", "mapview")


def _module_rank(item) -> tuple[int, int]:
    path = Path(str(item.fspath)).resolve()
    relative = path.relative_to(Path(__file__).resolve().parent).as_posix()
    if relative in LONGEST_FIRST:
        return (0, LONGEST_FIRST.index(relative))
    return (1, 0) if relative.split("/")[0] in WITH_PROCESSES else (2, 0)


def pytest_collection_modifyitems(config, items):
    """Federation and interop tests start processes; they are marked so they can be chosen or left out.

    Every test runs on both back-ends (`python3 dev.py test`), unless it is marked `backend_independent`: it can
    prove nothing more on PostgreSQL + Redis because it touches no database, cache, broker or node (the pure
    protocol core, fediverse_node/protocol, by design). Mark a test so only when that is true of everything it runs;
    a test without the marker runs on both. FEDINODE_TEST_ALL_BACKENDS=1 runs the marked ones on PostgreSQL too."""
    for item in items:
        path = str(item.fspath)
        if f"{os.sep}federation{os.sep}" in path:
            item.add_marker(pytest.mark.federation)
        if f"{os.sep}interop{os.sep}" in path:
            item.add_marker(pytest.mark.interop)
        if f"{os.sep}tests{os.sep}protocol{os.sep}" in path:
            item.add_marker(pytest.mark.backend_independent)
        if f"{os.sep}tests{os.sep}release{os.sep}" in path:
            # the release check starts all three back-ends itself: once per suite run, in the embedded pass
            item.add_marker(pytest.mark.backend_independent)
    items.sort(key=_module_rank)  # stable: a module's tests keep their order
    if os.environ.get("FEDINODE_TEST_BACKEND") == "postgres" and not os.environ.get("FEDINODE_TEST_ALL_BACKENDS"):
        once = [item for item in items if item.get_closest_marker("backend_independent")]
        if once:
            config.hook.pytest_deselected(items=once)
            items[:] = [item for item in items if not item.get_closest_marker("backend_independent")]


def pytest_sessionfinish(session):
    """The node templates of an xdist run are shared by its workers: the controller removes them at the end."""
    if not hasattr(session.config, "workerinput"):
        node_templates.templates_remove()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def start_node(request):
    """A factory of started nodes, all stopped (and their data removed) after the test."""
    nodes: list[Node] = []

    def start(name: str = "node", *, demo: bool = False, env: dict | None = None) -> Node:
        node = Node(name, env=env)
        nodes.append(node)
        return node.start(demo=demo)

    yield start
    for node in nodes:
        node.kill()
    failed = getattr(getattr(request.node, "rep_call", None), "failed", False)
    for node in nodes:
        if failed:
            print(f"--- log of {node.name} ---\n{node.log_text()}")
        node.cleanup()


@pytest.fixture(scope="session")
def shared_node():
    """Like start_node, but one node per (name, demo, env) for every test of the test process that asks for it:
    a node start (demo data included) paid once. Only for tests that depend on
    nothing another test may do to it: reading pages, or writing under names no other test uses. A test that
    counts what a node holds, changes its settings or stops it takes its own node from start_node."""
    nodes: dict[tuple, Node] = {}

    def get(name: str = "node", *, demo: bool = False, env: dict | None = None) -> Node:
        key = (name, demo, tuple(sorted((env or {}).items())))
        if key not in nodes:
            node = Node(name, env=env)
            nodes[key] = node
            node.start(demo=demo)
        node = nodes[key]
        if node.process is None or node.process.poll() is not None:
            raise RuntimeError(f"the shared node {name} has stopped:\n{node.log_text()}")
        return node

    yield get
    for node in nodes.values():
        node.kill()
        node.cleanup()


@pytest.fixture(scope="session")
def nodejs_available():
    """Node.js runs the Fedify peer and masto.js: a laptop without it skips, CI without it fails."""
    import shutil

    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js and npm are needed for the interop tests with Node peers and clients in CI")
        pytest.skip("Node.js not installed")


@pytest.fixture(scope="session")
def fedify_available(nodejs_available):
    """The Fedify peer needs Node.js (see nodejs_available)."""


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# Both passes would save the same pictures into ARTIFACTS: the PostgreSQL pass renders and checks every page as the
# first does, but the page surveys leave the screenshots to the embedded pass.
SCREENSHOTS = os.environ.get("FEDINODE_TEST_BACKEND") != "postgres"


def screenshot(page, file_name: str, *, full_page: bool = True) -> None:
    """A picture of the page for people, in test-artifacts/ (in the embedded pass only: see SCREENSHOTS)."""
    if SCREENSHOTS:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / file_name), full_page=full_page)


@pytest.fixture(scope="session")
def chromium_path():
    """Debian's chromium (dev.py test installs it): a laptop without it skips the browser tests, CI fails."""
    import shutil

    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is needed for the browser tests in CI (apt-get install chromium)")
        pytest.skip("chromium not installed")
    return path


@pytest.fixture
def browser_page(chromium_path):
    """A fresh page in headless chromium, driven by Playwright; screenshots go to test-artifacts/."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        context = browser.new_context(locale="de-DE", viewport={"width": 1200, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)  # a wait, not a speed check: a loaded 2-core machine needs it
        yield page
        browser.close()
