"""Let a failed restore take back the history it copied in, and nothing else.

A restore writes its rows in several short transactions into a workspace marked
`restoring` (invisible to everyone). When it fails, the workspace and all it holds are
deleted — including the audit rows it imported from the file. On PostgreSQL the trigger
of 0003 refuses every DELETE; from now on it lets through exactly those rows: imported
ones of a workspace that is still being restored. Native history stays undeletable.
"""

from django.db import migrations

ALLOW_UNFINISHED_RESTORE = """CREATE OR REPLACE FUNCTION audit_event_immutable() RETURNS trigger AS $$
   BEGIN
     IF TG_OP = 'DELETE' AND OLD.imported AND EXISTS (
         SELECT 1 FROM workspaces_workspace w WHERE w.id = OLD.workspace_id AND w.restoring) THEN
       RETURN OLD;
     END IF;
     RAISE EXCEPTION 'audit rows cannot be edited or deleted';
   END; $$ LANGUAGE plpgsql;"""

ORIGINAL = """CREATE OR REPLACE FUNCTION audit_event_immutable() RETURNS trigger AS $$
   BEGIN RAISE EXCEPTION 'audit rows cannot be edited or deleted'; END; $$ LANGUAGE plpgsql;"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_UNFINISHED_RESTORE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ORIGINAL)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_audit_event_imported"), ("workspaces", "0003_workspace_restoring")]
    operations = [migrations.RunPython(forwards, backwards)]
