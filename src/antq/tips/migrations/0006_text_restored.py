"""Tip.text_restored: the text of a tip typed without diacritics, with them restored.

On SQLite, Django adds a NOT NULL column by rebuilding the table, which would copy every tip
and drop the full-text triggers of 0003; ``ADD COLUMN ... DEFAULT ''`` does neither.
"""

from django.db import migrations, models


def _field() -> models.TextField:
    field = models.TextField(
        blank=True, editable=False, verbose_name="nội dung đã thêm dấu tự động"
    )
    field.set_attributes_from_name("text_restored")
    return field


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "ALTER TABLE tips_tip ADD COLUMN text_restored text NOT NULL DEFAULT ''"
        )
    else:
        schema_editor.add_field(apps.get_model("tips", "Tip"), _field())


def drop_column(apps, schema_editor):
    schema_editor.remove_field(apps.get_model("tips", "Tip"), _field())


class Migration(migrations.Migration):
    dependencies = [
        ("tips", "0005_inbox_box_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_column, drop_column)],
            state_operations=[
                migrations.AddField(
                    model_name="tip",
                    name="text_restored",
                    field=models.TextField(
                        blank=True,
                        editable=False,
                        verbose_name="nội dung đã thêm dấu tự động",
                    ),
                ),
            ],
        ),
    ]
