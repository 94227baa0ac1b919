"""Every edge case of PyPI `funfedi-parsing-test-cases`, signed by bovine and POSTed to our inbox:
accepted (202) or refused with a clear 4xx, never a 5xx; the cases marked recommended are stored."""

import pytest
from funfedi_parsing_test_cases import (
    Environment,
    TestCaseStatus,
    activity_suite,
    event_suite,
    notes_suite,
    poll_suite,
)
from funfedi_parsing_test_cases.cases.activity import InvalidTestCaseException

from tests.interop.bovine_peer import BovinePeer
from tests.nodes import wait_until

SUITES = [activity_suite, event_suite, notes_suite, poll_suite]
CASES = [(suite, sub, case) for suite in SUITES for sub, cases in suite.tests.items() for case in cases]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from tests.nodes import Node

    node = Node("funfedi")
    node.start()
    node.cli("createorg", "empfang", "--email", "e@example.org", "--password", "empfang-pass-1")
    with BovinePeer() as peer:
        yield node, peer
    node.kill()
    node.cleanup()


def test_cases_are_found():
    assert len(CASES) > 40


def test_all_cases(world):
    node, peer = world
    receiver = node.actor_url("empfang")
    environment = Environment(sending_actor_profile=peer.profile, receiving_actor=receiver)
    outcomes, recommended = [], []
    for suite, sub, case in CASES:
        try:
            made = case.maker.to_send(environment)
        except InvalidTestCaseException:
            continue
        activity = made.activity
        # The object may come by id only (Announce): the peer serves it so that our node can fetch it.
        candidate = activity.get("object")
        while isinstance(candidate, dict):
            if str(candidate.get("id", "")).startswith(peer.base):
                peer.serve(candidate)
            candidate = candidate.get("object")
        status, text = peer.post(f"{node.base}/inbox", activity)
        label = f"{suite.name}/{sub}/{case.name}"
        outcomes.append((label, status, text[:200]))
        if case.status == TestCaseStatus.recommended and activity.get("type") in ("Create", "Announce"):
            recommended.append((label, made.object_id))
    server_errors = [o for o in outcomes if o[1] >= 500]
    assert not server_errors, server_errors
    unclear = [o for o in outcomes if o[1] not in (202,) and not (400 <= o[1] < 500 and '"error"' in o[2])]
    assert not unclear, unclear
    assert recommended

    def missing():
        stored = set(
            node.query(
                "from posts.models import Post\n"
                f"print(json.dumps(list(Post.objects.filter(uri__in={[r[1] for r in recommended]!r}).values_list('uri', flat=True))))"
            )
        )
        return [label for label, uri in recommended if uri not in stored]

    wait_until(lambda: not missing(), timeout=60, message="recommended cases stored")
