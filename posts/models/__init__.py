from .attachment import Attachment
from .feed import FeedEntry
from .interaction import Bookmark, ConversationMute, Like, Pin, PostEdit
from .notification import Notification, NotificationType
from .participation import Participation
from .poll import Poll, PollVote
from .post import REPLIES, Post, PostType, Visibility
from .tag import Tag, TagFollow

__all__ = [
    "REPLIES", "Attachment", "Bookmark", "ConversationMute", "FeedEntry", "Like", "Notification", "NotificationType", "Participation", "Pin", "Poll", "PollVote", "Post", "PostEdit",
    "PostType", "Tag", "TagFollow", "Visibility",
]
