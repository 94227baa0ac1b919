"""Local actors get an Ed25519 key for Object Integrity Proofs (FEP-8b32): what they publish can then be forwarded
and believed on the author's signature (Fedify refuses a forwarded activity without it)."""

from django.db import migrations, models

from fediverse_node.protocol.keys import generate_ed25519_key


def forwards(apps, schema_editor):
    Actor = apps.get_model("actors", "Actor")
    for actor_id in Actor.objects.filter(local=True, proof_key_pem="").values_list("id", flat=True).iterator():
        Actor.objects.filter(id=actor_id).update(proof_key_pem=generate_ed25519_key())


class Migration(migrations.Migration):
    dependencies = [("actors", "0006_local_actor_page_urls")]
    operations = [
        migrations.AddField(
            model_name="actor", name="proof_key_pem",
            field=models.TextField(
                blank=True, help_text="a local actor's Ed25519 key (PKCS#8 PEM) for Object Integrity Proofs (FEP-8b32)"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
