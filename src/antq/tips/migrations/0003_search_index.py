"""The full-text index over ``tips_tip.search_text``, native to each database.

SQLite: an FTS5 table with external content (the text is stored once, in tips_tip), kept in
step by triggers. PostgreSQL: a GIN index on the expression the search query uses,
``to_tsvector('simple', search_text)`` (search_text is already folded, so no dictionary).
The statements are in ``antq.tips.search_index`` terms but copied here: a migration must not
change when the application code does.
"""

from django.db import migrations

SQLITE_CREATE = [
    # unicode61 without its own diacritic removal: search_text is folded by textvn already,
    # and query words are folded the same way. Prefix indexes make "lua da*" cheap.
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS tips_tip_fts USING fts5(
        search_text,
        content='tips_tip',
        content_rowid='id',
        tokenize='unicode61 remove_diacritics 0',
        prefix='1 2 3'
    )
    """,
    """
    CREATE TRIGGER IF NOT EXISTS tips_tip_fts_insert AFTER INSERT ON tips_tip BEGIN
        INSERT INTO tips_tip_fts (rowid, search_text) VALUES (new.id, new.search_text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS tips_tip_fts_delete AFTER DELETE ON tips_tip BEGIN
        INSERT INTO tips_tip_fts (tips_tip_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS tips_tip_fts_update AFTER UPDATE OF search_text ON tips_tip
    WHEN old.search_text IS NOT new.search_text BEGIN
        INSERT INTO tips_tip_fts (tips_tip_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO tips_tip_fts (rowid, search_text) VALUES (new.id, new.search_text);
    END
    """,
    "INSERT INTO tips_tip_fts (tips_tip_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS tips_tip_fts_insert",
    "DROP TRIGGER IF EXISTS tips_tip_fts_delete",
    "DROP TRIGGER IF EXISTS tips_tip_fts_update",
    "DROP TABLE IF EXISTS tips_tip_fts",
]
POSTGRESQL_CREATE = [
    "CREATE INDEX IF NOT EXISTS tip_search_gin ON tips_tip "
    "USING gin (to_tsvector('simple'::regconfig, search_text))",
]
POSTGRESQL_DROP = ["DROP INDEX IF EXISTS tip_search_gin"]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("tips", "0002_reference_data")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        )
    ]
