"""A local actor's home feed, written when posts arrive (fan-out on write), so reading a page is one index range.

A derived index of posts (what Mastodon keeps in Redis), written a row per local follower of every post: its columns
carry no foreign-key constraints in the database. PostgreSQL checked each of the three for every row (a trigger and a
row lock per key), 60 % of inserting a batch's rows and a third of processing posts from a followed server
(docs/benchmarks.md, session 25). Nothing is lost by it: the ORM deletes a post's or an actor's entries with it (on_delete
runs in Django either way), and a page joins its entries to their posts, so an entry whose post is gone is not shown.
"""

from django.db import models


class FeedEntry(models.Model):
    owner = models.ForeignKey(
        "actors.Actor", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    author = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "post"], name="feed_entry_unique")]
