"""The operator's command line (issue #17): createorg makes a listed member, every command works on a fresh data
directory, failures are one line, the help lists the node's own commands first, and no library noise."""

import subprocess

import requests

from tests.nodes import BIN, Node, command_run


def _run_cli(node: Node, *args: str) -> subprocess.CompletedProcess:
    """Node.run_cli with room for migrating a fresh data directory on a loaded machine."""
    return command_run([str(BIN / "fediverse-node"), *args], env=node.env, timeout=600)


def _one_line_failure(result, *needles: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert any(all(needle in line for needle in needles) for line in lines), result.stderr


def test_createorg_on_a_fresh_data_dir_makes_a_listed_member_with_its_profile(start_node):
    node = Node("operator")
    try:
        # before any `run`: the fresh data directory is migrated first, in one line
        created = _run_cli(node, "createorg", "praxis", "--email", "p@example.org", "--password", "praxis-pass-1",
                               "--display-name", "Praxis am Fluss", "--city", "Leipzig", "--postal-code", "04109",
                               "--state", "Sachsen", "--field", "migration", "--field", "bildung")
        assert created.returncode == 0, created.stderr
        assert created.stdout.strip() == node.actor_url("praxis")
        assert "Traceback" not in created.stderr
        profile = node.query(
            "from community.models import MemberProfile\np = MemberProfile.objects.get(actor__username='praxis')\n"
            "print(json.dumps([p.listed, p.city, p.postal_code, p.state, sorted(p.fields_of_work.values_list("
            "'slug', flat=True)), p.latitude is not None]))")
        assert profile == [True, "Leipzig", "04109", "SN", ["bildung", "migration"], True]

        node.start()
        page = requests.get(f"{node.base}/members/praxis/", timeout=30)
        assert page.status_code == 200 and "Praxis am Fluss" in page.text and "Leipzig" in page.text
        directory = requests.get(f"{node.base}/members/", params={"state": "SN"}, timeout=30)
        assert "/members/praxis/" in directory.text
        node.cli("createorg", "nachbar", "--email", "n@example.org", "--password", "nachbar-pass-1")
        follow = node.run_cli("follow", "nachbar", node.actor_url("praxis"))
        assert follow.returncode == 0, follow.stderr
        assert "No hostname was supplied" not in follow.stderr + follow.stdout
    finally:
        node.kill()
        node.cleanup()


def test_createorg_refuses_bad_options_in_one_line():
    node = Node("operator-bad")
    node.database_from_template()  # the first test here shows a new data directory's first command migrating
    try:
        base = ["createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1"]
        _one_line_failure(node.run_cli(*base, "--state", "Bavaria"), "--state", "BY")
        _one_line_failure(node.run_cli(*base, "--field", "gardening"), "Unknown field of work", "migration")
        _one_line_failure(node.run_cli(*base, "--postal-code", "123"), "--postal-code takes five digits")
        _one_line_failure(node.run_cli("createorg", "v2", "--email", "not-an-address", "--password", "x-pass-12345"),
                          "--email")
        assert node.query("from actors.models import Actor\nprint(json.dumps(Actor.objects.filter("
                          "username__in=['verein', 'v2']).count()))") == 0
    finally:
        node.cleanup()


def test_an_unreachable_database_and_a_bad_domain_are_one_line_each():
    node = Node("operator-db")
    database = node.env.get("DATABASE_URL")
    node.env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:9/nothing"  # nothing listens on port 9
    try:
        _one_line_failure(node.run_cli("post", "praxis", "hallo"), "cannot reach the database (DATABASE_URL)")
        node.env.pop("DATABASE_URL")
        if database:
            node.env["DATABASE_URL"] = database
        node.env["FEDINODE_DOMAIN"] = "https://social.example.org/path"
        _one_line_failure(node.run_cli("post", "praxis", "hallo"), "FEDINODE_DOMAIN must be host or host:port")
    finally:
        node.cleanup()


def test_help_lists_the_node_commands_first():
    node = Node("operator-help")
    try:
        for args in (["--help"], ["help"], []):
            result = node.run_cli(*args)
            assert result.returncode == 0, result.stderr
            text = result.stdout
            commands = ["run", "doctor", "createorg", "post", "follow", "backup", "restore"]
            positions = [text.index(f"\n  {name} ") for name in commands]
            assert positions == sorted(positions) and positions[-1] < text.index("dumpdata"), text
    finally:
        node.cleanup()


def test_migrating_one_app_of_a_new_database_first_then_the_rest():
    """`migrate <app>` on a new database, as an operator may do: the site's reference rows wait for their tables."""
    node = Node("operator-partial")
    try:
        first = _run_cli(node, "migrate", "oauth2_provider")
        assert first.returncode == 0, first.stderr
        assert "Traceback" not in first.stderr
        rest = _run_cli(node, "migrate")
        assert rest.returncode == 0, rest.stderr
        fields = node.query("from community.models import FieldOfWork\nprint(FieldOfWork.objects.count())")
        assert fields > 0
    finally:
        node.cleanup()
