"""A member organisation's public profile: where it is, what it works on, how to reach it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FederalState(models.TextChoices):
    BW = "BW", "Baden-Württemberg"
    BY = "BY", "Bayern"
    BE = "BE", "Berlin"
    BB = "BB", "Brandenburg"
    HB = "HB", "Bremen"
    HH = "HH", "Hamburg"
    HE = "HE", "Hessen"
    MV = "MV", "Mecklenburg-Vorpommern"
    NI = "NI", "Niedersachsen"
    NW = "NW", "Nordrhein-Westfalen"
    RP = "RP", "Rheinland-Pfalz"
    SL = "SL", "Saarland"
    SN = "SN", "Sachsen"
    ST = "ST", "Sachsen-Anhalt"
    SH = "SH", "Schleswig-Holstein"
    TH = "TH", "Thüringen"


# The fixed taxonomy of fields of work (slug, name); the FieldOfWork table mirrors it (migration 0002).
FIELDS_OF_WORK = [
    ("kinder-jugend", _("Kinder- und Jugendhilfe")),
    ("alter-pflege", _("Altenhilfe und Pflege")),
    ("behinderung", _("Behindertenhilfe und Teilhabe")),
    ("migration", _("Migration und Flucht")),
    ("gesundheit", _("Gesundheit")),
    ("armut-wohnen", _("Armut und Wohnungslosigkeit")),
    ("frauen-familie", _("Frauen und Familie")),
    ("engagement", _("Bürgerschaftliches Engagement")),
    ("sucht", _("Suchthilfe")),
    ("psyche", _("Seelische Gesundheit")),
    ("selbsthilfe", _("Selbsthilfe")),
    ("arbeit", _("Arbeit und Beschäftigung")),
    ("bildung", _("Bildung")),
]
FIELD_NAMES = dict(FIELDS_OF_WORK)


class FieldOfWork(models.Model):
    slug = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return str(FIELD_NAMES.get(self.slug, self.slug))

    @property
    def name(self) -> str:
        return str(self)


class MemberProfile(models.Model):
    """One per member organisation: local (its actor lives here) or linked (an account on another server)."""

    actor = models.OneToOneField("actors.Actor", on_delete=models.CASCADE, related_name="member_profile")
    listed = models.BooleanField(default=True, help_text="shown in the directory, the feed and the map")
    description = models.TextField(blank=True, help_text="plain text")
    street = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=5, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, choices=FederalState.choices, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # set when the member placed its pin by hand: geocoding from the address then leaves the position alone
    position_manual = models.BooleanField(default=False)
    location_public = models.BooleanField(default=True, help_text="position on the map and in the actor document")
    fields_of_work = models.ManyToManyField(FieldOfWork, blank=True, related_name="profiles")
    website = models.URLField(max_length=300, blank=True)
    # [{"url": …, "verified": bool}]: a link is verified when the page links back with rel="me"
    links = models.JSONField(default=list, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    # lower-case name, description and city: the directory's text search on both back-ends
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state", "city"])]

    def __str__(self) -> str:
        return f"profile of {self.actor_id}"

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None
