from .application import ApplicationState, MembershipApplication
from .campaign import Campaign
from .member_feed import FeedEntry, FeedVerification, MemberFeed
from .profile import FIELD_NAMES, FIELDS_OF_WORK, FederalState, FieldOfWork, MemberProfile
from .scout import LANGUAGES, Offer, ScoutProfile
from .scout_group import WEEKDAYS, ScoutGroup
from .site_page import ContactMessage, SitePage, SitePageKind

__all__ = [
    "FIELD_NAMES", "FIELDS_OF_WORK", "ApplicationState", "Campaign", "FeedEntry", "FeedVerification", "MemberFeed", "FederalState", "FieldOfWork", "MemberProfile", "MembershipApplication",
    "LANGUAGES", "Offer", "ScoutProfile", "WEEKDAYS", "ScoutGroup", "ContactMessage", "SitePage", "SitePageKind",
]
