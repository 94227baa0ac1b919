from .attachment import Attachment
from .feed import FeedEntry
from .interaction import Bookmark, Like, Pin, PostEdit
from .notification import Notification, NotificationType
from .post import Post, PostType, Visibility
from .tag import Tag

__all__ = [
    "Attachment", "Bookmark", "FeedEntry", "Like", "Notification", "NotificationType", "Pin", "Post", "PostEdit",
    "PostType", "Tag", "Visibility",
]
