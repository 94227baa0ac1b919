from .application import ApplicationState, MembershipApplication
from .campaign import Campaign
from .profile import FederalState, FieldOfWork, MemberProfile

__all__ = [
    "ApplicationState", "Campaign", "FederalState", "FieldOfWork", "MemberProfile", "MembershipApplication",
]
