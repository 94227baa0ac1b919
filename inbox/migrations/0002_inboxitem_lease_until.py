from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("inbox", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="inboxitem",
            name="lease_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
