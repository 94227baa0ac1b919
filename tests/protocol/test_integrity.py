"""FEP-8b32 Object Integrity Proofs (eddsa-jcs-2022), checked on an activity captured from @fedify/fedify, and our own
proofs checked by the same verifier (Fedify checks them in tests/interop/test_fedify_reach.py)."""

import copy
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fediverse_node.protocol.integrity import (
    DATA_INTEGRITY_CONTEXT,
    ProofError,
    ed25519_key_from_multikey,
    multibase_decode,
    multibase_encode,
    multikey_of,
    proof_sign,
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


def test_a_multikey_encodes_back_to_what_fedify_published():
    ed25519 = [k["publicKeyMultibase"] for k in CAPTURED["actor"]["assertionMethod"] if k["publicKeyMultibase"].startswith("z6Mk")]
    assert len(ed25519) == 1
    assert multibase_encode(multibase_decode(ed25519[0])) == ed25519[0]
    assert multikey_of(ed25519_key_from_multikey(ed25519[0])) == ed25519[0]
    assert multibase_decode(multibase_encode(b"\x00\x00\x01")) == b"\x00\x00\x01"  # leading zero bytes kept


def test_our_proof_verifies_and_any_change_breaks_it():
    private = Ed25519PrivateKey.generate()
    method = "http://127.0.0.1:1/actors/verein#ed25519-key"

    def ours(requested: str):
        assert requested == method
        return ed25519_key_from_multikey(multikey_of(private.public_key()))

    activity = {"@context": ["https://www.w3.org/ns/activitystreams"], "id": "http://127.0.0.1:1/a", "type": "Delete",
                "actor": "http://127.0.0.1:1/actors/verein", "object": "http://127.0.0.1:1/p/1"}
    signed = proof_sign(activity, private_key=private, verification_method=method, created="2026-12-04T23:00:00Z")
    assert signed["@context"] == ["https://www.w3.org/ns/activitystreams", DATA_INTEGRITY_CONTEXT]
    assert signed["proof"]["created"] == "2026-12-04T23:00:00Z" and "proof" not in activity
    assert proof_verify(json.loads(json.dumps(signed)), key_for=ours) == method
    forged = {**signed, "object": "http://127.0.0.1:1/p/2"}
    with pytest.raises(ProofError):
        proof_verify(forged, key_for=ours)
    resigned = proof_sign(signed, private_key=private, verification_method=method, created="2026-12-04T23:00:01Z")
    assert resigned["@context"] == signed["@context"] and proof_verify(resigned, key_for=ours) == method
