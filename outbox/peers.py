"""What delivery needs to know about remote servers, without knowing how the node keeps them: whether a server is
suspended here (nothing goes out to it) and which signature scheme it takes (double-knocking, learned once).

The actors room keeps the servers (`actors.models.Domain`) and hands its directory in when the apps load
(`actors/apps.py`), so the transport stays below the domain rooms (docs/architecture.md, import direction)."""

from enum import StrEnum
from typing import Protocol


class SignatureScheme(StrEnum):
    RFC9421 = "rfc9421"
    CAVAGE = "cavage"


class PeerDirectory(Protocol):
    def is_suspended(self, url: str) -> bool:
        """Whether the server of this URL (or a parent domain of it) is suspended here."""
        ...

    def signature_schemes(self, hosts: set[str]) -> dict[str, str]:
        """The scheme each host took last ("" when not learned yet), for every host asked about."""
        ...

    def signature_schemes_learned(self, learned: dict[str, str]) -> None:
        """Remember the schemes these hosts took."""
        ...


_directory: PeerDirectory | None = None


def peer_directory_set(directory: PeerDirectory) -> None:
    global _directory
    _directory = directory


def peer_directory() -> PeerDirectory:
    if _directory is None:
        raise RuntimeError("No peer directory: the actors app hands one in when Django sets up (actors/apps.py).")
    return _directory
