from .inbox_item import TRANSITIONS, InboxItem, InboxState

__all__ = ["TRANSITIONS", "InboxItem", "InboxState"]
