from .activity import OutgoingActivity
from .delivery import DELIVERY_STATES, Delivery, DeliveryState

__all__ = ["DELIVERY_STATES", "Delivery", "DeliveryState", "OutgoingActivity"]
