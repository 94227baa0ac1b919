"""Demo data for a first start, so a newcomer sees a living node."""

import secrets

from django.db import transaction

from actors.services.follow import follow_request
from actors.services.local import organization_create
from posts.services.publishing import post_create

DEMO_ORGS = [
    ("kita_sonnenschein", "Kita Sonnenschein e.V.", "Berlin",
     "Heute haben wir mit den Kindern Hochbeete gebaut. #GleichImNetz #Kinder"),
    ("pflege_nord", "Pflegedienst Nord gGmbH", "Hamburg",
     "Unser Team lädt zum digitalen Sprechstunden-Tag ein. #Pflege #GleichImNetz"),
    ("migration_sued", "Beratungsstelle Migration Süd", "München",
     "Neue mehrsprachige Sprechstunde jeden Dienstag. #Migration"),
]


@transaction.atomic
def demo_data_create() -> None:
    """A few member organisations with posts and follows (passwords are random: reset them in the admin)."""
    actors = []
    for username, name, city, text in DEMO_ORGS:
        actor = organization_create(
            username=username, email=f"{username}@example.org", password=secrets.token_urlsafe(16),
            display_name=name, city=city,
        )
        actor.summary = f"<p>{name} ist Mitglied im Paritätischen ({city}).</p>"
        actor.save(update_fields=["summary"])
        post_create(author=actor, text=text)
        actors.append(actor)
    for follower in actors:
        for target in actors:
            if follower != target:
                follow_request(follower=follower, target=target)
