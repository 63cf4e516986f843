"""Mark audit rows copied in by a restore, so history from a file is never shown as native.

On SQLite adding a column rebuilds the table, which drops its triggers: the one that makes
audit rows uneditable (0003) is created again right after.
"""

from django.db import migrations, models

SQLITE_TRIGGER = """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit rows cannot be edited'); END;"""


def keep_rows_uneditable(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_audit_rows_cannot_change")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="imported",
            field=models.BooleanField(default=False, help_text="Restored from a backup file, not recorded here."),
        ),
        migrations.RunPython(keep_rows_uneditable, migrations.RunPython.noop),
    ]
