from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("inbox", "0003_untried_index"),
    ]

    operations = [
        # PostgreSQL: Django's `_like` twins of text columns, for prefix searches no query here makes; each was
        # written on every insert (tests/test_indexes.py)
        migrations.RunSQL(
            [
                "DROP INDEX IF EXISTS inbox_inboxitem_activity_id_7a323770_like",
            ],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
