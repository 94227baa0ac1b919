from .actor import Actor, ActorType
from .block import Block, Mute
from .domain import Domain, SignatureScheme
from .follow import Follow, FollowState
from .key import PublicKey

__all__ = [
    "Actor", "ActorType", "Block", "Domain", "Follow", "FollowState", "Mute", "PublicKey", "SignatureScheme",
]
