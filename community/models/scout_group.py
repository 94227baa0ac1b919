"""What the website knows of a scout group beyond its Group actor: its topic, meeting rhythm and moderators."""

from django.db import models
from django.utils.translation import gettext_lazy as _

WEEKDAYS = [
    (0, _("Montag")), (1, _("Dienstag")), (2, _("Mittwoch")), (3, _("Donnerstag")),
    (4, _("Freitag")), (5, _("Samstag")), (6, _("Sonntag")),
]


class ScoutGroup(models.Model):
    actor = models.OneToOneField("actors.Actor", on_delete=models.CASCADE, related_name="scout_group")
    topic = models.CharField(max_length=100, blank=True, help_text="lower-case hashtag name")
    # weekly meeting, in the node's time zone (Europe/Berlin): weekday 0 = Monday; empty = no fixed rhythm
    meeting_weekday = models.PositiveSmallIntegerField(null=True, blank=True, choices=WEEKDAYS)
    meeting_time = models.TimeField(null=True, blank=True)
    meeting_minutes = models.PositiveSmallIntegerField(default=60)
    meeting_link = models.URLField(max_length=500, blank=True, help_text="video conference room")
    moderators = models.ManyToManyField("actors.Actor", blank=True, related_name="moderated_groups")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"scout group {self.actor_id}"

    @property
    def meets_weekly(self) -> bool:
        return self.meeting_weekday is not None and self.meeting_time is not None
