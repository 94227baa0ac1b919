"""FEP-8b32 Object Integrity Proofs (eddsa-jcs-2022), checked on an activity captured from @fedify/fedify."""

import copy
import json
from pathlib import Path

import pytest

from fediverse_node.protocol.integrity import (
    ProofError,
    ed25519_key_from_multikey,
    multibase_decode,
    proof_verify,
)

CAPTURED = json.loads((Path(__file__).parent / "data" / "fedify_create_with_proof.json").read_text())


def key_for(method: str):
    for key in CAPTURED["actor"]["assertionMethod"]:
        if key["id"] == method:
            return ed25519_key_from_multikey(key["publicKeyMultibase"])
    raise ProofError(f"unknown key {method}")


def test_fedifys_proof_verifies():
    activity = CAPTURED["activity"]
    assert proof_verify(activity, key_for=key_for) == activity["proof"]["verificationMethod"]


@pytest.mark.parametrize("change", [
    lambda a: a["object"].update(content="<p>Gefälscht</p>"),
    lambda a: a.update(actor="http://127.0.0.1:1/users/other"),
    lambda a: a["proof"].update(created="2026-12-05T00:00:00Z"),
    lambda a: a["proof"].update(proofValue="z" + "1" * 88),
])
def test_any_change_breaks_the_proof(change):
    activity = copy.deepcopy(CAPTURED["activity"])
    change(activity)
    with pytest.raises(ProofError):
        proof_verify(activity, key_for=key_for)


def test_a_key_of_another_kind_or_a_missing_proof_is_refused():
    rsa_multikey = CAPTURED["actor"]["assertionMethod"][0]["publicKeyMultibase"]
    with pytest.raises(ProofError):
        ed25519_key_from_multikey(rsa_multikey)
    with pytest.raises(ProofError):
        proof_verify({k: v for k, v in CAPTURED["activity"].items() if k != "proof"}, key_for=key_for)
    with pytest.raises(ProofError):
        multibase_decode("u" + "A" * 10)  # base64url multibase: not what FEP-8b32 uses
