from .inbox_item import INBOX_ITEM_STATES, InboxItem, InboxState

__all__ = ["INBOX_ITEM_STATES", "InboxItem", "InboxState"]
