"""First versions of the legal pages, in German (the law that asks for them is German). Staff replace every
[placeholder in brackets] in the admin before the site goes public; the pages say so to staff until they do."""

PLACEHOLDER_MARK = "[bitte ergänzen"

IMPRESSUM = """\
## Angaben gemäß § 5 DDG

[bitte ergänzen: Name des Vereins oder Verbands]
[bitte ergänzen: Straße und Hausnummer]
[bitte ergänzen: Postleitzahl und Ort]

**Vertreten durch:** [bitte ergänzen: Vorstand bzw. Geschäftsführung, Namen]

**Registereintrag:** [bitte ergänzen: Vereinsregister, Registergericht, Registernummer]

## Kontakt

Telefon: [bitte ergänzen: Telefonnummer]
E-Mail: [bitte ergänzen: E-Mail-Adresse]

## Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV

[bitte ergänzen: Name, Anschrift]

## Inhalte der Mitgliedsorganisationen

Die Beiträge im Verzeichnis, im Feed „Aus der Praxis“, im Blog und bei den Terminen stammen von den
Mitgliedsorganisationen und aus dem Fediverse. Für sie sind die jeweiligen Organisationen verantwortlich. Wenn Ihnen
ein rechtswidriger Inhalt auffällt, schreiben Sie uns über das [Kontaktformular](/kontakt/); wir prüfen ihn
unverzüglich.
"""

DATENSCHUTZ = """\
## Verantwortliche Stelle

[bitte ergänzen: Name und Anschrift des Vereins oder Verbands, E-Mail-Adresse]

**Datenschutzbeauftragte oder Datenschutzbeauftragter:** [bitte ergänzen: Name und Kontakt]

## Was wir speichern, wenn Sie diese Website besuchen

Der Server verarbeitet beim Aufruf jeder Seite Ihre IP-Adresse, um die Seite auszuliefern und um Missbrauch
(z. B. das Ausprobieren von Passwörtern) zu begrenzen. Rechtsgrundlage ist Art. 6 Abs. 1 lit. f DSGVO.
[bitte ergänzen: wie lange Server-Protokolle aufbewahrt werden]

Diese Website setzt keine Analyse- oder Werbe-Cookies und lädt keine Inhalte von fremden Servern. Es gibt nur
technisch notwendige Cookies: die gewählte Sprache, die Sitzung nach dem Anmelden und einen Schutz gegen gefälschte
Formulare (CSRF).

## Kontaktformular und Mitgliedsanträge

Was Sie in das Kontaktformular oder den Antrag auf Mitgliedschaft schreiben, speichern wir, um Ihre Anfrage zu
bearbeiten (Art. 6 Abs. 1 lit. b und f DSGVO). [bitte ergänzen: wann diese Nachrichten gelöscht werden]

## Fediverse

Mitgliedsorganisationen veröffentlichen ihre Beiträge im Fediverse (ActivityPub). Öffentliche Beiträge werden dabei
an die Server derjenigen übermittelt, die den Organisationen folgen, und können dort gespeichert werden. Gelöschte
Beiträge werden auch dort zur Löschung angefordert.

## Ihre Rechte

Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung, Datenübertragbarkeit und
Widerspruch (Art. 15 bis 21 DSGVO) sowie das Recht, sich bei einer Aufsichtsbehörde zu beschweren.
[bitte ergänzen: zuständige Aufsichtsbehörde]
"""

BARRIEREFREIHEIT = """\
## Erklärung zur Barrierefreiheit

[bitte ergänzen: Name des Vereins oder Verbands] ist bemüht, diese Website im Einklang mit den Anforderungen an
Barrierefreiheit zugänglich zu machen. Grundlage sind die Web Content Accessibility Guidelines (WCAG) 2.1 auf Stufe AA
und die BITV 2.0.

## Stand der Vereinbarkeit

Diese Website ist [bitte ergänzen: vollständig / teilweise] mit den genannten Anforderungen vereinbar. Die Seiten
funktionieren ohne JavaScript, lassen sich vollständig mit der Tastatur bedienen, haben ausreichende Kontraste und
werden automatisiert auf Barrieren geprüft.

## Nicht barrierefreie Inhalte

Beiträge der Mitgliedsorganisationen und aus dem Fediverse (z. B. Bilder ohne Bildbeschreibung) liegen nicht in
unserer Hand. [bitte ergänzen: bekannte Einschränkungen]

Diese Erklärung wurde am [bitte ergänzen: Datum] erstellt.

## Barrieren melden

Wenn Ihnen Barrieren auffallen, schreiben Sie uns über das [Kontaktformular](/kontakt/) oder an
[bitte ergänzen: E-Mail-Adresse].

## Schlichtungsverfahren

Wenn wir Ihre Meldung nicht zufriedenstellend beantworten, können Sie sich an die Schlichtungsstelle nach § 16 BGG
wenden: [bitte ergänzen: zuständige Schlichtungsstelle, z. B. www.schlichtungsstelle-bgg.de].
"""

DEFAULT_PAGES = {
    "impressum": ("Impressum", IMPRESSUM),
    "datenschutz": ("Datenschutzerklärung", DATENSCHUTZ),
    "barrierefreiheit": ("Erklärung zur Barrierefreiheit", BARRIEREFREIHEIT),
}
