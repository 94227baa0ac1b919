"""Local posts' `url` becomes their page on the website (it was their ActivityPub id, a bare page), and their
hashtag links become absolute (the HTML travels to feeds, the client API and other servers)."""

from django.db import migrations
from django.db.models import F

PAGES = {"Article": "blog", "Event": "events"}
BATCH = 1000


def forwards(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    posts = Post.objects.filter(local=True, boost_of__isnull=True).only("id", "uri", "url", "type", "content")
    batch = []
    for post in posts.iterator(chunk_size=BATCH):
        base = post.uri.rsplit("/actors/", 1)[0]
        if post.url == post.uri:
            post.url = f"{base}/{PAGES.get(post.type, 'posts')}/{post.id}/"
        post.content = post.content.replace('href="/tags/', f'href="{base}/tags/')
        batch.append(post)
        if len(batch) >= BATCH:
            Post.objects.bulk_update(batch, ["url", "content"])
            batch = []
    Post.objects.bulk_update(batch, ["url", "content"])


def backwards(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    Post.objects.filter(local=True).update(url=F("uri"))


class Migration(migrations.Migration):
    dependencies = [("posts", "0004_event_times_participation")]
    operations = [migrations.RunPython(forwards, backwards)]
