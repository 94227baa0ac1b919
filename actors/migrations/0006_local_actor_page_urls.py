"""Local actors' `url` becomes their page on the website (it was their ActivityPub id, a bare page)."""

from django.db import migrations
from django.db.models import F

PAGES = {"Organization": "members", "Person": "scouts", "Group": "groups"}


def forwards(apps, schema_editor):
    Actor = apps.get_model("actors", "Actor")
    for actor in Actor.objects.filter(local=True, url=F("uri"), type__in=list(PAGES)).only("uri", "username", "type"):
        base = actor.uri.rsplit("/actors/", 1)[0]
        Actor.objects.filter(id=actor.id).update(url=f"{base}/{PAGES[actor.type]}/{actor.username}/")


def backwards(apps, schema_editor):
    Actor = apps.get_model("actors", "Actor")
    Actor.objects.filter(local=True).update(url=F("uri"))


class Migration(migrations.Migration):
    dependencies = [("actors", "0005_report")]
    operations = [migrations.RunPython(forwards, backwards)]
