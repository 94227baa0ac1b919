"""Who registered for an Event: a local or remote actor's Join (Mobilizon's and Gancio's way to take part)."""

from django.db import models


class Participation(models.Model):
    event = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="participations", db_index=False)
    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="participations")
    uri = models.URLField(max_length=500, unique=True, help_text="the Join activity's id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "actor"], name="participation_unique_pair")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.actor_id} joins {self.event_id}"
