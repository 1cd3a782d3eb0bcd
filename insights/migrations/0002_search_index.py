"""The search index, made per database vendor (see insights/search.py and docs/search.md).

PostgreSQL: ``insights_searchdoc(demand_id bigint primary key references demands_demand
on delete cascade, document tsvector)`` with a GIN index. SQLite: an FTS5 virtual table,
rowid = demand id, one column per indexed field. Django's state knows the table as the
model ``SearchDoc`` so that flushes (test databases) empty it with the demands.

The index starts empty: fill it with ``manage.py rebuild_search_index``.
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRESQL = [
    "CREATE TABLE insights_searchdoc ("
    " demand_id bigint PRIMARY KEY REFERENCES demands_demand (id)"
    " ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,"
    " document tsvector NOT NULL)",
    "CREATE INDEX insights_searchdoc_document ON insights_searchdoc USING gin (document)",
]
SQLITE = [
    "CREATE VIRTUAL TABLE insights_searchdoc USING fts5("
    "number, title, address, content, name, tokenize = 'unicode61')",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"the search index supports PostgreSQL and SQLite, not {vendor}")
    for statement in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS insights_searchdoc")


class Migration(migrations.Migration):

    dependencies = [
        ("demands", "0007_event_kinds_update_relay"),
        ("insights", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchDoc",
                    fields=[
                        ("demand", models.OneToOneField(
                            db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                            primary_key=True, related_name="+", serialize=False,
                            to="demands.demand", verbose_name="诉求")),
                        ("document", models.TextField(editable=False, verbose_name="检索文档")),
                    ],
                    options={
                        "verbose_name": "检索文档",
                        "verbose_name_plural": "检索文档",
                        "default_permissions": (),
                    },
                ),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
