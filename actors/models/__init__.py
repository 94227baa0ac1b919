from .actor import Actor, ActorType
from .block import Block, Mute
from .domain import Domain, DomainSeverity, SignatureScheme
from .follow import FOLLOW_STATES, Follow, FollowState
from .key import PublicKey
from .report import COMMENT_MAX, Report, ReportCategory, ReportState

__all__ = [
    "COMMENT_MAX", "FOLLOW_STATES", "Actor", "ActorType", "Block", "Domain", "DomainSeverity", "Follow", "FollowState", "Mute",
    "PublicKey", "Report", "ReportCategory", "ReportState", "SignatureScheme",
]
