"""Forms of the website; errors speak the page's language, and what was typed stays in the form."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from actors.services.local import username_check

from .models import FIELDS_OF_WORK, FederalState, MemberProfile, MembershipApplication

POSTAL_CODE = re.compile(r"^\d{5}$")


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
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "message": forms.Textarea(attrs={"rows": 3})}

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
        data = super().clean()
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
    reason = forms.CharField(label=_("Begründung (geht an die Organisation)"), required=False, widget=forms.Textarea)


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=300)
    body = forms.CharField(
        label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 16}), max_length=100_000,
        help_text=_("Überschriften mit ##, Listen mit -, Links als [Text](https://…)."),
    )
    tags = forms.CharField(label=_("Schlagwörter"), required=False, help_text=_("durch Leerzeichen getrennt, z. B. Pflege Digitalisierung"))
    cover = forms.ImageField(label=_("Titelbild"), required=False)
    cover_description = forms.CharField(label=_("Bildbeschreibung (Alternativtext)"), required=False, max_length=1500)
    author = forms.ChoiceField(label=_("Im Namen von"), required=False)

    def __init__(self, *args, authors=(), **kwargs):
        super().__init__(*args, **kwargs)
        if authors:
            self.fields["author"].choices = [(a.username, a.display_name or a.username) for a in authors]
            self.fields["author"].required = True
        else:
            del self.fields["author"]

    def clean(self):
        data = super().clean()
        if data.get("cover") and not (data.get("cover_description") or "").strip():
            self.add_error("cover_description", _("Bitte beschreiben Sie das Bild für Menschen, die es nicht sehen."))
        return data

    def tag_list(self) -> list[str]:
        return [t.lstrip("#") for t in self.cleaned_data.get("tags", "").split() if t.lstrip("#")][:10]


class ProfileForm(forms.ModelForm):
    fields_of_work = forms.MultipleChoiceField(
        label=_("Arbeitsfelder"), choices=FIELDS_OF_WORK, widget=forms.CheckboxSelectMultiple, required=False
    )
    state = forms.ChoiceField(label=_("Bundesland"), choices=[("", "—"), *FederalState.choices], required=False)
    link_list = forms.CharField(
        label=_("Links (eine Adresse pro Zeile)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('Bestätigt wird ein Link, wenn die Seite mit rel="me" auf dieses Profil zurückverweist.'),
    )

    class Meta:
        model = MemberProfile
        fields = [
            "description", "street", "postal_code", "city", "state", "fields_of_work", "website", "link_list",
            "contact_email", "contact_phone", "location_public",
        ]
        labels = {
            "description": _("Beschreibung"), "street": _("Straße und Hausnummer"), "postal_code": _("Postleitzahl"),
            "city": _("Ort"), "website": _("Website"), "contact_email": _("Öffentliche E-Mail-Adresse"),
            "contact_phone": _("Öffentliche Telefonnummer"), "location_public": _("Standort auf der Karte zeigen"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("fields_of_work", [f.slug for f in self.instance.fields_of_work.all()])
        self.initial.setdefault("link_list", "\n".join(link["url"] for link in self.instance.links))

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
