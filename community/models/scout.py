"""An Online-Scout: a person of a member organisation who knows a topic and helps others with it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Offer(models.TextChoices):
    WEBINAR = "webinar", _("Webinare")
    CONSULTING = "consulting", _("Beratung")
    MENTORING = "mentoring", _("Mentoring")


# Languages a scout can advise in (ISO 639-1), the ones the association's members ask for most.
LANGUAGES = [
    ("de", "Deutsch"), ("en", "English"), ("tr", "Türkçe"), ("ar", "العربية"), ("uk", "Українська"),
    ("ru", "Русский"), ("pl", "Polski"), ("fr", "Français"), ("es", "Español"), ("fa", "فارسی"),
]


class ScoutProfile(models.Model):
    """One per scout; the scout is a local Person actor that logs in like an organisation does."""

    actor = models.OneToOneField("actors.Actor", on_delete=models.CASCADE, related_name="scout_profile")
    organisation = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="scouts")
    topics = models.JSONField(default=list, blank=True, help_text="expertise, as lower-case hashtag names")
    offers = models.JSONField(default=list, blank=True, help_text="values of Offer")
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639-1 codes")
    availability = models.CharField(max_length=300, blank=True, help_text="e.g. Dienstags vormittags")
    listed = models.BooleanField(default=True)
    # " t:ki o:webinar l:de " and the lower-case name: filters and text search with LIKE on both back-ends
    # (SQLite has no JSON containment lookup)
    facets = models.TextField(blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"scout {self.actor_id}"

    @property
    def offer_labels(self) -> list[str]:
        labels = dict(Offer.choices)
        return [str(labels[o]) for o in self.offers if o in labels]
