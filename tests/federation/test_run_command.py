"""`fediverse-node run`: demo data on first start, a real web server and worker, a clean stop on SIGTERM."""

import signal

import requests

from tests.nodes import process_alive, process_tree, wait_until


def test_run_with_demo_data_and_clean_stop(start_node):
    node = start_node("demo", demo=True)
    actor = node.get_json(node.actor_url("kita_sonnenschein"))
    assert actor["type"] == "Organization"
    outbox = node.get_json(f"{actor['outbox']}?page=1")
    assert outbox["orderedItems"][0]["type"] == "Create"
    # The demo organisations' follows are accepted (each follows the next three; the first six the KI scout group).
    following = node.get_json(f"{actor['following']}?page=1")["orderedItems"]
    assert sorted(following) == sorted(node.actor_url(n) for n in ("pflege_nord", "migration_sued", "lebenshilfe_koeln", "scouts_ki"))
    page = requests.get(node.actor_url("kita_sonnenschein"), headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "Kita Sonnenschein" in page.text

    node.process.send_signal(signal.SIGTERM)
    assert node.process.wait(timeout=30) == 0
    wait_until(lambda: _refused(node.base), timeout=10, message="the web server stopped")


def test_a_killed_supervisor_takes_its_children_along(start_node):
    """Killed without a chance to stop them (SIGKILL, out of memory), the supervisor's children still go: no
    orphaned web worker keeps serving the port, no worker keeps taking tasks."""
    node = start_node("orphans")
    tree = process_tree()
    children = tree.get(node.process.pid, [])
    family = children + [pid for child in children for pid in tree.get(child, [])]
    assert len(children) >= 3 and len(family) > len(children)  # web, workers, beat; granian's own workers

    node.process.kill()
    node.process.wait(timeout=10)

    wait_until(lambda: not any(process_alive(pid) for pid in family), timeout=30, message="every child stopped")
    assert _refused(node.base)


def test_createorg_refuses_bad_and_duplicate_names(start_node):
    node = start_node("names")
    node.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1")
    for name, reason in (("verein", "taken"), ("bad name!", "letters"), ("instance.actor", "reserved")):
        result = node.run_cli("createorg", name, "--email", "x@example.org", "--password", "x-pass-1234")
        assert result.returncode != 0 and reason in result.stderr, result.stderr


def _refused(base: str) -> bool:
    try:
        requests.get(f"{base}/.well-known/nodeinfo", timeout=1)
    except requests.ConnectionError:
        return True
    return False
