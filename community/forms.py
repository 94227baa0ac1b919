"""Forms of the website; errors speak the page's language, and what was typed stays in the form."""

import re
from datetime import timedelta
from typing import cast

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from actors.services.local import username_check
from posts.services.events import MAX_EVENT_DAYS
from posts.services.media import MediaError, media_check
from posts.text import tag_name

from . import limits
from .models import (
    FIELDS_OF_WORK,
    LANGUAGES,
    ContactMessage,
    FederalState,
    MemberProfile,
    MembershipApplication,
    Offer,
)
from .services.scouts import ScoutError, topics_parse

POSTAL_CODE = re.compile(r"^\d{5}$")
MAX_TAGS = 10
# Browsers fill these from the visitor's saved address (WCAG 2.1 SC 1.3.5, "Identify Input Purpose").
AUTOCOMPLETE = {
    "organisation_name": "organization", "email": "email", "street": "address-line1", "postal_code": "postal-code",
    "city": "address-level2", "website": "url", "contact_email": "email", "contact_phone": "tel",
    "display_name": "name",
}


def autocomplete_set(form: forms.BaseForm) -> None:
    """Give each address and contact field of the form its autocomplete purpose."""
    for name, purpose in AUTOCOMPLETE.items():
        if name in form.fields:
            form.fields[name].widget.attrs.setdefault("autocomplete", purpose)


def limit_length(field: forms.Field, limit: int) -> None:
    """A maximum length for a form field made from a TextField (which has none): a field error in the page's
    language, and the browser stops typing at the limit."""
    assert isinstance(field, forms.CharField)  # a TextField's form field
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)


def https_urls(field, **kwargs):
    """URL fields complete a bare domain with https:// (Django 6's default; 5.2 warns unless told)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ApplicationForm(forms.ModelForm):
    fields_of_work = forms.MultipleChoiceField(
        label=_("Arbeitsfelder"), choices=FIELDS_OF_WORK, widget=forms.CheckboxSelectMultiple, required=False
    )
    state = forms.ChoiceField(label=_("Bundesland"), choices=[("", "—"), *FederalState.choices], required=False)
    username = forms.CharField(
        label=_("Gewünschter Benutzername"), max_length=63, required=False,
        help_text=_("Buchstaben, Ziffern, _ . -; wird Teil Ihrer Fediverse-Adresse."),
    )

    class Meta:
        model = MembershipApplication
        formfield_callback = https_urls
        fields = [
            "organisation_name", "username", "email", "description", "street", "postal_code", "city", "state",
            "fields_of_work", "website", "remote_handle", "message",
        ]
        labels = {
            "organisation_name": _("Name der Organisation"),
            "email": _("E-Mail-Adresse"),
            "description": _("Was macht Ihre Organisation?"),
            "street": _("Straße und Hausnummer"),
            "postal_code": _("Postleitzahl"),
            "city": _("Ort"),
            "website": _("Website"),
            "remote_handle": _("Schon im Fediverse? Ihr Konto (z. B. @verein@social.example)"),
            "message": _("Nachricht an das Team"),
        }
        help_texts = {
            "message": _("Freiwillig: alles, was das Team bei der Prüfung wissen sollte."),
            "email": _("An diese Adresse schicken wir die Zugangsdaten."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_length(self.fields["description"], limits.DESCRIPTION)
        limit_length(self.fields["message"], limits.MESSAGE)
        autocomplete_set(self)

    def clean_postal_code(self):
        code = self.cleaned_data["postal_code"].strip()
        if code and not POSTAL_CODE.match(code):
            raise forms.ValidationError(_("Eine Postleitzahl hat fünf Ziffern."))
        return code

    def clean_remote_handle(self):
        handle = self.cleaned_data["remote_handle"].strip()
        if handle and not re.match(r"^@?[^@\s]+@[^@\s]+\.[^@\s]+$|^https://\S+$", handle):
            raise forms.ValidationError(_("Bitte als @name@server.tld oder als https://-Adresse angeben."))
        return handle

    def clean(self):
        super().clean()
        data = self.cleaned_data
        username = (data.get("username") or "").strip()
        if not data.get("remote_handle"):
            if not username:
                self.add_error("username", _("Bitte einen Benutzernamen wählen (oder ein bestehendes Konto angeben)."))
            else:
                try:
                    username_check(username)
                except ValueError:
                    self.add_error("username", _("Dieser Benutzername ist ungültig oder vergeben."))
                if MembershipApplication.objects.filter(username__iexact=username, status="pending").exists():
                    self.add_error("username", _("Für diesen Benutzernamen liegt schon ein Antrag vor."))
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Begründung (geht an die Organisation)"), required=False, widget=forms.Textarea, max_length=limits.MESSAGE
    )


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=300)
    body = forms.CharField(
        label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 16}), max_length=100_000,
        help_text=_("Überschriften mit ##, Listen mit -, Links als [Text](https://…)."),
    )
    tags = forms.CharField(
        label=_("Schlagwörter"), required=False, max_length=limits.TAGS,
        help_text=_("durch Leerzeichen getrennt, z. B. Pflege Digitalisierung"),
    )
    cover = forms.ImageField(label=_("Titelbild"), required=False)
    cover_description = forms.CharField(label=_("Bildbeschreibung (Alternativtext)"), required=False, max_length=1500)
    author = forms.ChoiceField(label=_("Im Namen von"), required=False)

    def __init__(self, *args, authors=(), **kwargs):
        super().__init__(*args, **kwargs)
        if authors:
            cast(forms.ChoiceField, self.fields["author"]).choices = [(a.username, a.display_name or a.username) for a in authors]
            self.fields["author"].required = True
        else:
            del self.fields["author"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("cover") and not (data.get("cover_description") or "").strip():
            self.add_error("cover_description", _("Bitte beschreiben Sie das Bild für Menschen, die es nicht sehen."))
        return data

    def clean_tags(self):
        words = [word for word in self.cleaned_data["tags"].replace(",", " ").split() if word.strip("#")]
        for word in words:
            if tag_name(word) is None:
                raise forms.ValidationError(
                    _("„%(tag)s“ ist kein gültiges Schlagwort: nur Buchstaben, Ziffern und _.") % {"tag": word[:60]}
                )
        if len(words) > MAX_TAGS:
            raise forms.ValidationError(_("Höchstens %(n)d Schlagwörter.") % {"n": MAX_TAGS})
        return " ".join(words)

    def tag_list(self) -> list[str]:
        return [t.lstrip("#") for t in self.cleaned_data.get("tags", "").split() if t.lstrip("#")][:MAX_TAGS]


class ProfileForm(forms.ModelForm):
    fields_of_work = forms.MultipleChoiceField(
        label=_("Arbeitsfelder"), choices=FIELDS_OF_WORK, widget=forms.CheckboxSelectMultiple, required=False
    )
    state = forms.ChoiceField(label=_("Bundesland"), choices=[("", "—"), *FederalState.choices], required=False)
    link_list = forms.CharField(
        label=_("Links (eine Adresse pro Zeile)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.LINKS,
        help_text=_('Bestätigt wird ein Link, wenn die Seite mit rel="me" auf dieses Profil zurückverweist.'),
    )

    class Meta:
        model = MemberProfile
        formfield_callback = https_urls
        fields = [
            "description", "street", "postal_code", "city", "state", "fields_of_work", "website", "link_list",
            "contact_email", "contact_phone", "location_public",
        ]
        labels = {
            "description": _("Beschreibung"), "street": _("Straße und Hausnummer"), "postal_code": _("Postleitzahl"),
            "city": _("Ort"), "website": _("Website"), "contact_email": _("Öffentliche E-Mail-Adresse"),
            "contact_phone": _("Öffentliche Telefonnummer"), "location_public": _("Standort auf der Karte zeigen"),
        }
        help_texts = {
            "description": _("Was macht Ihre Organisation, für wen ist sie da? Erscheint im Verzeichnis."),
            "location_public": _("Zeigt Ihre Organisation auf der Karte der Mitglieder und anderen Servern im Fediverse."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_length(self.fields["description"], limits.DESCRIPTION)
        # model_to_dict gives the FieldOfWork rows, but the checkboxes' values are slugs: without this the boxes
        # render unchecked and saving the untouched form drops every field of work
        if self.instance.pk and "fields_of_work" not in kwargs.get("initial", {}):
            self.initial["fields_of_work"] = [f.slug for f in self.instance.fields_of_work.all()]
        self.initial.setdefault("link_list", "\n".join(link["url"] for link in self.instance.links))
        autocomplete_set(self)

    clean_postal_code = ApplicationForm.clean_postal_code

    def clean_link_list(self):
        urls = [line.strip() for line in self.cleaned_data["link_list"].splitlines() if line.strip()]
        validate = forms.URLField(assume_scheme="https").clean
        cleaned = []
        for url in urls[:10]:
            try:
                cleaned.append(validate(url))
            except forms.ValidationError:
                raise forms.ValidationError(_("%(url)s ist keine gültige Adresse.") % {"url": url}) from None
        return cleaned


class ScoutForm(forms.Form):
    """A scout's profile; an organisation or staff inviting a new scout also gives its log-in name and e-mail."""

    username = forms.CharField(label=_("Benutzername"), max_length=63, help_text=_("wird Teil der Fediverse-Adresse"))
    email = forms.EmailField(label=_("E-Mail-Adresse (für die Einladung)"))
    display_name = forms.CharField(label=_("Name"), max_length=100)
    note = forms.CharField(label=_("Über mich"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    topics = forms.CharField(
        label=_("Themen"), max_length=1000, help_text=_("Schlagwörter, durch Leerzeichen oder Komma getrennt, z. B. KI Datenschutz"),
    )
    offers = forms.MultipleChoiceField(label=_("Angebote"), choices=Offer.choices, widget=forms.CheckboxSelectMultiple, required=False)
    languages = forms.MultipleChoiceField(label=_("Sprachen"), choices=LANGUAGES, widget=forms.CheckboxSelectMultiple, required=False)
    availability = forms.CharField(label=_("Erreichbarkeit"), max_length=300, required=False, help_text=_("z. B. dienstags vormittags"))
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)

    def __init__(self, *args, inviting: bool, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not inviting:
            del self.fields["username"], self.fields["email"]
        if organisations:
            cast(forms.ChoiceField, self.fields["organisation"]).choices = [(o.username, o.display_name or o.username) for o in organisations]
            self.fields["organisation"].required = True
        else:
            del self.fields["organisation"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        try:
            username_check(username)
        except ValueError:
            raise forms.ValidationError(_("Dieser Benutzername ist ungültig oder vergeben.")) from None
        return username

    def clean_topics(self):
        try:
            topics = topics_parse(self.cleaned_data["topics"])
        except ScoutError as error:
            raise forms.ValidationError(str(error)) from None
        if not topics:
            raise forms.ValidationError(_("Bitte mindestens ein Thema nennen."))
        return topics


class EventForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    description = forms.CharField(label=_("Beschreibung"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    starts_at = forms.DateTimeField(
        label=_("Beginn"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Ortszeit (Europe/Berlin)"),
    )
    ends_at = forms.DateTimeField(
        label=_("Ende"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("Ort"), max_length=300, required=False, help_text=_("leer lassen bei reinen Online-Terminen"))
    online_url = forms.URLField(label=_("Link zur Videokonferenz"), required=False, assume_scheme="https")
    tags = forms.CharField(
        label=_("Themen"), required=False, max_length=limits.TAGS, help_text=_("Schlagwörter, z. B. KI Datenschutz")
    )
    group = forms.ChoiceField(label=_("Für die Gruppe"), required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["group"]).choices = [("", "—")] + [(g.username, g.display_name or g.username) for g in groups]

    def clean_tags(self):
        try:
            return topics_parse(self.cleaned_data["tags"])
        except ScoutError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        super().clean()
        data = self.cleaned_data
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("Das Ende muss nach dem Beginn liegen."))
        elif starts_at and ends_at and ends_at - starts_at > timedelta(days=MAX_EVENT_DAYS):
            self.add_error("ends_at", _("Eine Veranstaltung dauert höchstens %(days)d Tage.") % {"days": MAX_EVENT_DAYS})
        return data


class MaterialForm(forms.Form):
    links = forms.CharField(
        label=_("Material und Aufzeichnung"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.LINKS,
        help_text=_("Eine Adresse pro Zeile, davor optional ein Titel: „Folien https://…“"),
    )

    def clean_links(self):
        validate = forms.URLField(assume_scheme="https").clean
        links = []
        for line in self.cleaned_data["links"].splitlines()[:10]:
            name, _sep, url = line.strip().rpartition(" ")
            if not url:
                continue
            try:
                links.append({"name": name.strip(), "url": validate(url)})
            except forms.ValidationError:
                raise forms.ValidationError(_("%(url)s ist keine gültige Adresse.") % {"url": url}) from None
        return links


IMAGE_TYPES = "image/jpeg,image/png,image/gif,image/webp"


class ProfileImagesForm(forms.Form):
    """A local organisation's logo and header image, beside its profile form (checked like the API's uploads)."""

    logo = forms.FileField(
        label=_("Logo"), required=False, widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
    )
    logo_remove = forms.BooleanField(label=_("Logo entfernen"), required=False)
    header = forms.FileField(
        label=_("Titelbild"), required=False, widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
    )
    header_remove = forms.BooleanField(label=_("Titelbild entfernen"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = {"mb": settings.FEDINODE_MEDIA_MAX_BYTES // (1024 * 1024)}
        self.fields["logo"].help_text = _(
            "Quadratisch wirkt am besten. JPEG, PNG, GIF oder WebP, höchstens %(mb)s MB."
        ) % limits
        self.fields["header"].help_text = _(
            "Ein breites Bild über Ihrem Profil. JPEG, PNG, GIF oder WebP, höchstens %(mb)s MB."
        ) % limits

    def _image(self, name: str):
        upload = self.cleaned_data.get(name)
        if upload is None:
            return None
        try:
            media_check(upload)
        except MediaError as error:
            messages = {
                "too_large": _("Die Datei ist zu groß: höchstens %(mb)s MB."),
                "too_many_pixels": _("Das Bild hat zu viele Bildpunkte. Bitte laden Sie eine kleinere Fassung hoch."),
            }
            message = messages.get(error.code, _(
                "Diese Datei ist kein Bild, das wir lesen können. Bitte laden Sie ein JPEG-, PNG-, GIF- oder WebP-Bild hoch."
            ))
            raise forms.ValidationError(message % {"mb": settings.FEDINODE_MEDIA_MAX_BYTES // (1024 * 1024)}) from None
        return upload

    def clean_logo(self):
        return self._image("logo")

    def clean_header(self):
        return self._image("header")


class ContactForm(forms.ModelForm):
    """A message to the team; stored for staff (admin: Kontaktnachrichten), never mailed on by the form itself."""

    class Meta:
        model = ContactMessage
        fields = ["name", "email", "message"]
        labels = {"name": _("Ihr Name"), "email": _("Ihre E-Mail-Adresse"), "message": _("Ihre Nachricht")}
        help_texts = {
            "email": _("Nur für unsere Antwort; wir geben sie nicht weiter."),
            "message": _("Höchstens 5000 Zeichen."),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "message": forms.Textarea(attrs={"rows": 8}),
        }


class MemberFeedForm(forms.Form):
    """A feed of the member's own website (RSS, Atom or JSON Feed)."""

    url = forms.URLField(
        label=_("Adresse des Feeds"), max_length=500, assume_scheme="https",
        help_text=_("RSS, Atom oder JSON Feed Ihrer Website, z. B. https://www.example.org/feed/"),
    )
