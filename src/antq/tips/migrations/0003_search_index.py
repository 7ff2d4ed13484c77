"""The full-text index over ``tips_tip.search_text``, native to each database.

SQLite: an FTS5 table with external content (the text is stored once, in tips_tip), kept in
step by triggers. Beside search_text it indexes the columns inboxes filter on (ward, unit,
category, assignee, status) as tokens, so that a search within a ward is narrowed inside the
index instead of after it. PostgreSQL: ``search_vector``, the ``to_tsvector('simple',
search_text)`` of each row stored by the database itself (a generated column: no code writes
it), with a GIN index; 'simple' because search_text is already folded. The column is not a
model field: only ``antq.tips.search`` reads it.

``antq.tips.search`` repeats the SQLite triggers to repair them after a table rebuild; this
migration keeps its own copy so that it never changes with the application code.
"""

from django.db import migrations

SQLITE_CREATE = [
    # unicode61 without its own diacritic removal: search_text is folded by textvn already,
    # and query words are folded the same way. Prefix indexes up to 7 letters, the longest
    # Vietnamese syllable ("nghieng"): without one, a prefix query merges the posting lists
    # of every word it matches before returning a row (15 ms for "phuong*" over 1M tips).
    """
    CREATE VIRTUAL TABLE tips_tip_fts USING fts5(
        search_text, ward_id, unit_id, category_id, assignee_id, status,
        content='tips_tip',
        content_rowid='id',
        tokenize='unicode61 remove_diacritics 0',
        prefix='1 2 3 4 5 6 7'
    )
    """,
    """
    CREATE TRIGGER tips_tip_fts_insert AFTER INSERT ON tips_tip BEGIN
        INSERT INTO tips_tip_fts
            (rowid, search_text, ward_id, unit_id, category_id, assignee_id, status)
        VALUES (new.id, new.search_text, new.ward_id, new.unit_id, new.category_id,
            new.assignee_id, new.status);
    END
    """,
    """
    CREATE TRIGGER tips_tip_fts_delete AFTER DELETE ON tips_tip BEGIN
        INSERT INTO tips_tip_fts (tips_tip_fts,
            rowid, search_text, ward_id, unit_id, category_id, assignee_id, status)
        VALUES ('delete', old.id, old.search_text, old.ward_id, old.unit_id,
            old.category_id, old.assignee_id, old.status);
    END
    """,
    """
    CREATE TRIGGER tips_tip_fts_update
    AFTER UPDATE OF search_text, ward_id, unit_id, category_id, assignee_id, status
    ON tips_tip
    WHEN old.search_text IS NOT new.search_text OR old.ward_id IS NOT new.ward_id
        OR old.unit_id IS NOT new.unit_id OR old.category_id IS NOT new.category_id
        OR old.assignee_id IS NOT new.assignee_id OR old.status IS NOT new.status
    BEGIN
        INSERT INTO tips_tip_fts (tips_tip_fts,
            rowid, search_text, ward_id, unit_id, category_id, assignee_id, status)
        VALUES ('delete', old.id, old.search_text, old.ward_id, old.unit_id,
            old.category_id, old.assignee_id, old.status);
        INSERT INTO tips_tip_fts
            (rowid, search_text, ward_id, unit_id, category_id, assignee_id, status)
        VALUES (new.id, new.search_text, new.ward_id, new.unit_id, new.category_id,
            new.assignee_id, new.status);
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
    "ALTER TABLE tips_tip ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX tip_search_gin ON tips_tip USING gin (search_vector)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS tip_search_gin",
    "ALTER TABLE tips_tip DROP COLUMN IF EXISTS search_vector",
]


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
