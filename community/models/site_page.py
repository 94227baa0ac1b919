"""The site's own pages that German law and good practice expect (Impressum, Datenschutz, Barrierefreiheit), edited
by staff in the admin, and the messages visitors send through the contact form."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SITE_PAGE_BODY_MAX = 50_000
CONTACT_MESSAGE_MAX = 5_000


class SitePageKind(models.TextChoices):
    IMPRESSUM = "impressum", _("Impressum")
    DATENSCHUTZ = "datenschutz", _("Datenschutzerklärung")
    BARRIEREFREIHEIT = "barrierefreiheit", _("Erklärung zur Barrierefreiheit")


class SitePage(models.Model):
    slug = models.CharField(_("Seite"), max_length=40, unique=True, choices=SitePageKind.choices)
    title = models.CharField(_("Titel"), max_length=200)
    body = models.TextField(
        _("Text"), max_length=SITE_PAGE_BODY_MAX,
        help_text=_("Überschriften mit ##, Listen mit -, Links als [Text](https://…). Ersetzen Sie alle Angaben in "
                    "eckigen Klammern."),
    )
    updated_at = models.DateTimeField(_("zuletzt geändert"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("geändert von"),
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("Seite der Website")
        verbose_name_plural = _("Seiten der Website")

    def __str__(self) -> str:
        return self.title


class ContactMessage(models.Model):
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail-Adresse"), max_length=254)
    message = models.TextField(_("Nachricht"), max_length=CONTACT_MESSAGE_MAX)
    language = models.CharField(_("Sprache der Seite"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("eingegangen"), auto_now_add=True)
    handled = models.BooleanField(_("erledigt"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Kontaktnachricht")
        verbose_name_plural = _("Kontaktnachrichten")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
