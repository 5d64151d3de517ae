"""Indexes for Japanese full-text search: FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE publishing_searchentry_fts USING fts5(
        heading, body, content='publishing_searchentry', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER publishing_searchentry_ai AFTER INSERT ON publishing_searchentry BEGIN
        INSERT INTO publishing_searchentry_fts(rowid, heading, body) VALUES (new.id, new.heading, new.body);
    END""",
    """CREATE TRIGGER publishing_searchentry_ad AFTER DELETE ON publishing_searchentry BEGIN
        INSERT INTO publishing_searchentry_fts(publishing_searchentry_fts, rowid, heading, body)
        VALUES ('delete', old.id, old.heading, old.body);
    END""",
    """CREATE TRIGGER publishing_searchentry_au AFTER UPDATE ON publishing_searchentry BEGIN
        INSERT INTO publishing_searchentry_fts(publishing_searchentry_fts, rowid, heading, body)
        VALUES ('delete', old.id, old.heading, old.body);
        INSERT INTO publishing_searchentry_fts(rowid, heading, body) VALUES (new.id, new.heading, new.body);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS publishing_searchentry_au",
    "DROP TRIGGER IF EXISTS publishing_searchentry_ad",
    "DROP TRIGGER IF EXISTS publishing_searchentry_ai",
    "DROP TABLE IF EXISTS publishing_searchentry_fts",
]
POSTGRES_FORWARD = [
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX publishing_searchentry_body_trgm ON publishing_searchentry USING gin (body gin_trgm_ops)",
    "CREATE INDEX publishing_searchentry_heading_trgm ON publishing_searchentry USING gin (heading gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS publishing_searchentry_heading_trgm",
    "DROP INDEX IF EXISTS publishing_searchentry_body_trgm",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
