from .actor import Actor, ActorType
from .block import Block, Mute
from .domain import Domain, DomainSeverity, SignatureScheme
from .follow import Follow, FollowState
from .key import PublicKey

__all__ = [
    "Actor", "ActorType", "Block", "Domain", "DomainSeverity", "Follow", "FollowState", "Mute", "PublicKey", "SignatureScheme",
]
