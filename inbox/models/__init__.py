from .inbox_item import InboxItem, InboxState

__all__ = ["InboxItem", "InboxState"]
