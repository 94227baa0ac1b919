from django.db import migrations

import inbox.models.inbox_item


def _column_type(schema_editor, to: str) -> None:
    """PostgreSQL only: SQLite's column is text already, and an AlterField there would copy the whole table."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE inbox_inboxitem ALTER COLUMN payload TYPE {to} USING payload::{to}")


def payload_as_text(apps, schema_editor) -> None:
    _column_type(schema_editor, "text")


def payload_as_jsonb(apps, schema_editor) -> None:
    _column_type(schema_editor, "jsonb")


class Migration(migrations.Migration):

    dependencies = [
        ("inbox", "0004_served_indexes_dropped"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="inboxitem", name="payload", field=inbox.models.inbox_item.JSONText(),
                ),
            ],
            database_operations=[
                migrations.RunPython(payload_as_text, payload_as_jsonb),
            ],
        ),
    ]
