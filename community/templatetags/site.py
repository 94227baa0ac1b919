"""Template filters of the site: machine-readable times and the language of member-written text."""

import re
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()

LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,3}$")
CONTENT_LANGUAGE_DEFAULT = "de"  # members write German unless their post says otherwise


@register.filter
def iso(value) -> str:
    """A `datetime` attribute value: ISO 8601 with seconds and offset, no microseconds (HTML's valid date string)."""
    if not isinstance(value, datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


@register.filter
def content_lang(value) -> str:
    """The `lang` of text a member wrote: its own language tag if it is a sane one, else German."""
    code = (value or "").strip() if isinstance(value, str) else ""
    return code if LANGUAGE_TAG.match(code) and code.lower() != "und" else CONTENT_LANGUAGE_DEFAULT


@register.filter
def described_widget(field):
    """The field's input, pointing (aria-describedby) at its help text and its error, whichever the page shows."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    return field.as_widget(attrs=attrs)


@register.filter
def when(value, style: str = "") -> str:
    """A date and time as the page's language writes it; "weekday" puts the day's name first."""
    if not isinstance(value, datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    text = date_format(value, "DATETIME_FORMAT")
    return f"{date_format(value, 'l')}, {text}" if style == "weekday" else text
