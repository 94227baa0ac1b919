"""A public key of an actor, found by its keyId when verifying signatures."""

from django.db import models


class PublicKey(models.Model):
    key_id = models.URLField(max_length=500, unique=True)
    owner = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="public_keys")
    pem = models.TextField()
    fetched_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key_id
