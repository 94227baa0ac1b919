"""The map container, with the base layer from the settings (so community's views need not know about it)."""

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("mapview/_canvas.html")
def map_canvas(mode: str, region_label: str, lat=None, lon=None, label: str = "") -> dict:
    return {
        "mode": mode, "region_label": region_label, "lat": lat, "lon": lon, "label": label,
        "tiles": settings.FEDINODE_MAP_TILES, "attribution": settings.FEDINODE_MAP_ATTRIBUTION,
    }
