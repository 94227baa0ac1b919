from .activity import OutgoingActivity
from .delivery import Delivery, DeliveryState

__all__ = ["Delivery", "DeliveryState", "OutgoingActivity"]
