"""Demo data for a first start, so a newcomer sees a living node: invented member organisations in every federal
state, their posts (some with pictures), blog stories and a campaign. Every name here is invented."""

import hashlib
import io
import random
import secrets
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from actors.services.follow import follow_request
from actors.services.local import organization_create
from community.models import Campaign
from community.services.profiles import profile_create, profile_images_set
from community.services.scout_groups import group_create, rhythm_parse
from community.services.scouts import scout_invite
from posts.models import PostType
from posts.services.events import event_create, event_material_set
from posts.services.media import media_create
from posts.services.publishing import post_create

# user name, name, street, postal code, city, state, latitude, longitude, fields of work
DEMO_ORGS = [
    ("kita_sonnenschein", "Kita Sonnenschein e.V.", "Invalidenstraße 12", "10115", "Berlin", "BE", 52.532, 13.384, ["kinder-jugend"]),
    ("pflege_nord", "Pflegedienst Nord gGmbH", "Steinstraße 3", "20095", "Hamburg", "HH", 53.551, 9.994, ["alter-pflege"]),
    ("migration_sued", "Beratungsstelle Migration Süd", "Sendlinger Straße 8", "80331", "München", "BY", 48.137, 11.575, ["migration"]),
    ("lebenshilfe_koeln", "Lebenshilfe Köln-Ost e.V.", "Domstraße 20", "50667", "Köln", "NW", 50.938, 6.957, ["behinderung"]),
    ("tafel_dresden", "Dresdner Tafel e.V.", "Wilsdruffer Straße 5", "01067", "Dresden", "SN", 51.050, 13.737, ["armut-wohnen"]),
    ("frauenhaus_kiel", "Frauenberatung Kiel e.V.", "Holstenstraße 40", "24103", "Kiel", "SH", 54.323, 10.135, ["frauen-familie"]),
    ("jugendwerk_stuttgart", "Jugendwerk Stuttgart e.V.", "Königstraße 15", "70173", "Stuttgart", "BW", 48.776, 9.180, ["kinder-jugend", "bildung"]),
    ("selbsthilfe_hannover", "Selbsthilfe-Kontaktstelle Hannover", "Lister Meile 7", "30159", "Hannover", "NI", 52.375, 9.732, ["selbsthilfe"]),
    ("suchtberatung_bremen", "Suchtberatung Bremen gGmbH", "Obernstraße 2", "28195", "Bremen", "HB", 53.079, 8.802, ["sucht"]),
    ("ehrenamt_erfurt", "Freiwilligenagentur Erfurt", "Anger 9", "99084", "Erfurt", "TH", 50.978, 11.029, ["engagement"]),
    ("psyche_mainz", "Treffpunkt Seelische Gesundheit Mainz", "Große Bleiche 4", "55116", "Mainz", "RP", 49.999, 8.273, ["psyche", "selbsthilfe"]),
    ("arbeit_saarbruecken", "Arbeitsladen Saarbrücken e.V.", "Bahnhofstraße 30", "66111", "Saarbrücken", "SL", 49.234, 6.997, ["arbeit"]),
    ("familie_potsdam", "Familienzentrum Potsdam", "Brandenburger Straße 11", "14467", "Potsdam", "BB", 52.396, 13.058, ["frauen-familie"]),
    ("gesundheit_rostock", "Gesundheitsladen Rostock", "Kröpeliner Straße 21", "18055", "Rostock", "MV", 54.089, 12.140, ["gesundheit"]),
    ("bildung_magdeburg", "Bildungswerk Magdeburg e.V.", "Breiter Weg 50", "39104", "Magdeburg", "ST", 52.131, 11.640, ["bildung"]),
    ("wohnungslos_frankfurt", "Wohnungslosenhilfe Frankfurt", "Zeil 60", "60311", "Frankfurt am Main", "HE", 50.110, 8.682, ["armut-wohnen"]),
    ("senioren_leipzig", "Seniorenbüro Leipzig", "Grimmaische Straße 2", "04109", "Leipzig", "SN", 51.340, 12.375, ["alter-pflege", "engagement"]),
    ("inklusion_nuernberg", "Inklusionsbetrieb Nürnberg", "Karolinenstraße 14", "90402", "Nürnberg", "BY", 49.452, 11.077, ["behinderung", "arbeit"]),
    ("gefluechtete_essen", "Netzwerk Geflüchtete Essen", "Kettwiger Straße 6", "45127", "Essen", "NW", 51.456, 7.012, ["migration"]),
    ("kinderschutz_freiburg", "Kinderschutz Freiburg", "Kaiser-Joseph-Straße 19", "79098", "Freiburg im Breisgau", "BW", 47.999, 7.842, ["kinder-jugend"]),
    ("hospiz_kassel", "Hospizverein Kassel", "Obere Königsstraße 8", "34117", "Kassel", "HE", 51.313, 9.480, ["alter-pflege", "gesundheit"]),
    ("nachbarschaft_luebeck", "Nachbarschaftshilfe Lübeck", "Breite Straße 25", "23552", "Lübeck", "SH", 53.866, 10.687, ["engagement"]),
    ("jugend_schwerin", "Jugendclub Schwerin", "Mecklenburgstraße 3", "19053", "Schwerin", "MV", 53.635, 11.401, ["kinder-jugend"]),
    ("beratung_cottbus", "Beratungszentrum Cottbus", "Spremberger Straße 10", "03046", "Cottbus", "BB", 51.756, 14.333, ["migration", "frauen-familie"]),
    ("sucht_halle", "Drogenhilfe Halle", "Leipziger Straße 40", "06108", "Halle (Saale)", "ST", 51.482, 11.970, ["sucht"]),
    ("selbsthilfe_jena", "Selbsthilfegruppen Jena", "Johannisstraße 5", "07743", "Jena", "TH", 50.927, 11.589, ["selbsthilfe", "psyche"]),
    ("tafel_trier", "Trierer Tafel", "Simeonstraße 12", "54290", "Trier", "RP", 49.750, 6.637, ["armut-wohnen"]),
    ("familie_neunkirchen", "Familienbildung Neunkirchen", "Stummstraße 2", "66538", "Neunkirchen", "SL", 49.345, 7.180, ["frauen-familie", "bildung"]),
    ("pflege_oldenburg", "Ambulante Pflege Oldenburg", "Lange Straße 33", "26122", "Oldenburg", "NI", 53.143, 8.214, ["alter-pflege"]),
    ("lernwerkstatt_bremerhaven", "Lernwerkstatt Bremerhaven", "Bürgermeister-Smidt-Straße 4", "27568", "Bremerhaven", "HB", 53.539, 8.580, ["bildung", "kinder-jugend"]),
    ("freiwillige_hamburg", "Freiwilligen-Netzwerk Hamburg", "Max-Brauer-Allee 9", "22765", "Hamburg", "HH", 53.554, 9.935, ["engagement"]),
    ("housing_first_berlin", "Wohnen zuerst Berlin", "Oranienstraße 18", "10997", "Berlin", "BE", 52.500, 13.430, ["armut-wohnen"]),
]

POSTS = [
    "Heute haben wir mit den Kindern Hochbeete gebaut. #GleichImNetz #Kinder",
    "Unser Team lädt zum digitalen Sprechstunden-Tag ein. #Pflege #GleichImNetz",
    "Neue mehrsprachige Sprechstunde jeden Dienstag. #Migration",
    "Danke an alle Ehrenamtlichen, die diese Woche mitgeholfen haben! #Ehrenamt #GleichImNetz",
    "Wir suchen Verstärkung für unser Team – meldet euch gern. #Jobs",
    "Unsere Selbsthilfegruppe trifft sich jetzt auch online, jeden Donnerstag um 18 Uhr. #Selbsthilfe",
    "Wie digital ist soziale Arbeit? Ein Rückblick auf unseren Workshop. #Digitalisierung #GleichImNetz",
    "Sommerfest im Hof: Musik, Kuchen und viele Gespräche. #Nachbarschaft",
]

ARTICLES = [
    ("Wie unsere Kita das Fediverse entdeckte", "kita_sonnenschein",
     "## Warum wir hier sind\n\nEltern wollten wissen, was im Alltag passiert – ohne Werbung und ohne Datenhandel.\n\n"
     "- Fotos nur mit Einverständnis\n- kurze Beiträge, zweimal pro Woche\n- Antworten lesen wir gemeinsam\n\n"
     "Mehr dazu im Gespräch. #GleichImNetz"),
    ("Pflege braucht Zeit – und gute Werkzeuge", "pflege_nord",
     "Digitale Dienstpläne haben unserem Team **zwei Stunden pro Woche** gespart.\n\n"
     "> Die Zeit geht jetzt an die Menschen, nicht an Papier.\n\nSo haben wir angefangen … #Pflege"),
    ("Beratung in sieben Sprachen", "migration_sued",
     "Seit einem Jahr beraten wir in sieben Sprachen. Was wir gelernt haben:\n\n"
     "1. Dolmetschen braucht Vorbereitung\n2. Vertrauen braucht Zeit\n3. Digitale Termine helfen Familien\n\n#Migration"),
]


def _picture(seed: int) -> SimpleUploadedFile:
    """A small generated picture (colour fields), so demo posts carry images without shipping photos."""
    rng = random.Random(seed)
    image = Image.new("RGB", (640, 400), tuple(rng.randrange(80, 230) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(0, 560), rng.randrange(0, 320)
        draw.ellipse((x, y, x + rng.randrange(40, 160), y + rng.randrange(40, 160)),
                     fill=tuple(rng.randrange(40, 255) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile(f"demo-{seed}.png", buffer.getvalue(), content_type="image/png")


# Deep blues, teals and greens of the association's look (white letters on them keep AA contrast), and a red
LOGO_PALETTE = ["#0b5cad", "#0a4f8a", "#00677a", "#1d6b4f", "#3d5a9e", "#5b3f8c", "#a3263a", "#7a4a0f"]
LOGO_SIDE = 256
NAME_NOISE = {"e.v.", "ev", "ggmbh", "gmbh", "der", "die", "das", "für", "und", "im", "am"}


def logo_initials(name: str) -> str:
    """Up to two initials of an organisation's name, legal forms and small words left out: "Dresdner Tafel e.V." → DT."""
    words = [w for w in name.replace("-", " ").split() if w.lower() not in NAME_NOISE and w[:1].isalpha()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def logo_picture(name: str) -> SimpleUploadedFile:
    """A generated logo: the initials in white on a colour of the palette chosen by the name (the same every time)."""
    colour = LOGO_PALETTE[hashlib.sha256(name.encode()).digest()[0] % len(LOGO_PALETTE)]
    image = Image.new("RGB", (LOGO_SIDE, LOGO_SIDE), colour)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((14, 14, LOGO_SIDE - 15, LOGO_SIDE - 15), radius=28, outline="#ffffff", width=6)
    font = ImageFont.load_default(size=110)  # the font Pillow ships: no system fonts needed in a slim image
    draw.text((LOGO_SIDE / 2, LOGO_SIDE / 2), logo_initials(name), fill="#ffffff", font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


@transaction.atomic
def demo_data_create() -> None:
    """Create the demo members (without passwords: set one with `fediverse-node changepassword`)."""
    actors = []
    for index, (username, name, street, postal_code, city, state, lat, lon, fields) in enumerate(DEMO_ORGS):
        actor = organization_create(
            # no password: nobody knows a random one, and hashing 32 of them made the first start slow
            username=username, email=f"{username}@example.org", password=None, display_name=name, city=city,
        )
        actor.summary = f"<p>{name} ist Mitglied im Paritätischen ({city}).</p>"
        actor.save(update_fields=["summary"])
        host = f"{username.replace('_', '-')}.example.org"  # "_" is not allowed in a host name (nor in e-mail)
        profile = profile_create(
            actor=actor, description=f"{name} arbeitet in {city} für die Menschen vor Ort.", street=street,
            postal_code=postal_code, city=city, state=state, fields_of_work=fields, latitude=lat, longitude=lon,
            website=f"https://{host}", contact_email=f"kontakt@{host}",
        )
        profile_images_set(profile=profile, logo=logo_picture(name))
        for number in range(1 + index % 2):
            text = POSTS[(index + number * 3) % len(POSTS)]
            attachments = []
            if (index + number) % 3 == 0:
                attachments.append(media_create(
                    owner=actor, upload=_picture(index * 10 + number),
                    description="Bunte Farbflächen – ein Platzhalterbild der Demo-Daten.",
                ))
            post_create(author=actor, text=text, attachments=attachments)
        actors.append(actor)
    by_name = {actor.username: actor for actor in actors}
    for title, username, body in ARTICLES:
        post_create(author=by_name[username], text=body, name=title, type=PostType.ARTICLE, tags=["Praxis"])
    for index, follower in enumerate(actors):  # each member follows the next three
        for step in (1, 2, 3):
            follow_request(follower=follower, target=actors[(index + step) % len(actors)])
    today = timezone.localdate()
    Campaign.objects.get_or_create(
        slug="gleich-im-netz", defaults={
            "name": "#GleichImNetz", "hashtag": "GleichImNetz", "starts_on": today - timedelta(days=30),
            "ends_on": today + timedelta(days=30),
            "description": "Soziale Organisationen zeigen im Netz, was sie tun.",
            "call_to_action": "Erzählen Sie aus Ihrer Praxis und verwenden Sie #GleichImNetz.",
        },
    )
    _demo_scouts_create(actors)


# (username, name, organisation index, topics, offers, languages, availability)
DEMO_SCOUTS = [
    ("lea_ki", "Lea Brandt", 0, ["ki", "datenschutz"], ["webinar", "consulting"], ["de", "en"], "dienstags vormittags"),
    ("jonas_daten", "Jonas Weber", 3, ["datenschutz", "dsgvo"], ["consulting"], ["de"], "nach Absprache"),
    ("aylin_social", "Aylin Demir", 5, ["socialmedia", "fediverse"], ["webinar", "mentoring"], ["de", "tr"], "abends"),
    ("mara_barrierefrei", "Mara Schulz", 8, ["barrierefreiheit", "leichtesprache"], ["consulting", "mentoring"],
     ["de"], "mittwochs"),
    ("tim_video", "Tim Hoffmann", 11, ["videokonferenz", "ki"], ["webinar"], ["de", "en"], "donnerstags"),
    ("olena_digital", "Olena Koval", 14, ["fundraising", "socialmedia"], ["mentoring"], ["de", "uk", "ru"], "freitags"),
]
# (username, name, topic, rhythm, moderator scouts, summary)
DEMO_GROUPS = [
    ("scouts_ki", "Online-Scouts: KI im Alltag", "ki", "Dienstag 10:00", ["lea_ki", "tim_video"],
     "Wir probieren KI-Werkzeuge für die soziale Arbeit aus – sicher und verständlich."),
    ("scouts_datenschutz", "Online-Scouts: Datenschutz", "datenschutz", "Donnerstag 14:00", ["jonas_daten", "lea_ki"],
     "Fragen zu DSGVO, Einwilligungen und sicheren Werkzeugen."),
    ("scouts_barrierefrei", "Online-Scouts: Barrierefreiheit", "barrierefreiheit", "Mittwoch 16:00",
     ["mara_barrierefrei"], "Barrierefreie Websites, Dokumente und Leichte Sprache."),
]


def _demo_scouts_create(organisations) -> None:
    """Scouts of a few members, three scout groups with weekly meetings, and webinars before and after today."""
    scouts = {}
    for username, name, org_index, topics, offers, languages, availability in DEMO_SCOUTS:
        scouts[username] = scout_invite(
            organisation=organisations[org_index], username=username, email=f"{username}@example.org",
            password=secrets.token_urlsafe(16), display_name=name, topics=topics, offers=offers,
            languages=languages, availability=availability,
        )
    groups = {}
    for username, name, topic, rhythm, moderators, summary in DEMO_GROUPS:
        weekday, at = rhythm_parse(rhythm)
        groups[topic] = group_create(
            username=username, display_name=name, summary=summary, topic=topic, weekday=weekday, at=at,
            meeting_link="https://meet.example.org/" + username, closed=topic == "barrierefreiheit",
            moderators=[scouts[m] for m in moderators],
        ).actor
    for member in organisations[:6]:
        follow_request(follower=member, target=groups["ki"])
    post_create(author=scouts["lea_ki"], text=f"Unsere Checkliste für KI-Werkzeuge ist fertig! #ki @scouts_ki@{groups['ki'].domain}")
    today = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    for days, author, name, topic, group in (
        (3, "lea_ki", "Webinar: KI im Beratungsalltag", "ki", "ki"),
        (8, "jonas_daten", "Sprechstunde DSGVO für Vereine", "datenschutz", "datenschutz"),
        (15, "mara_barrierefrei", "Leichte Sprache im Netz", "barrierefreiheit", None),
        (-10, "tim_video", "Gute Videokonferenzen mit wenig Technik", "videokonferenz", None),
    ):
        event = event_create(
            author=scouts[author], name=name, text=f"{name}: eine Stunde mit Fragen und Antworten. #{topic}",
            starts_at=today + timedelta(days=days), ends_at=today + timedelta(days=days, hours=1),
            online_url="https://meet.example.org/" + author, tags=[topic], group=groups.get(group) if group else None,
        )
        if days < 0:
            event_material_set(event=event, links=[
                {"name": "Aufzeichnung", "url": "https://video.example.org/videokonferenz"},
                {"name": "Folien", "url": "https://material.example.org/videokonferenz.pdf"},
            ])
