from .actor import Actor, ActorType
from .domain import Domain, SignatureScheme
from .follow import Follow, FollowState
from .key import PublicKey

__all__ = ["Actor", "ActorType", "Domain", "Follow", "FollowState", "PublicKey", "SignatureScheme"]
