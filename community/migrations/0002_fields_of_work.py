from django.db import migrations

SLUGS = [
    "kinder-jugend", "alter-pflege", "behinderung", "migration", "gesundheit", "armut-wohnen", "frauen-familie",
    "engagement", "sucht", "psyche", "selbsthilfe", "arbeit", "bildung",
]


def create(apps, schema_editor):
    FieldOfWork = apps.get_model("community", "FieldOfWork")
    for slug in SLUGS:
        FieldOfWork.objects.get_or_create(slug=slug)


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
