"""Duplicate detection by place, fast at millions of demands (PostgreSQL only).

``demand_place`` (latitude, longitude) narrows a 300 m box only by latitude first: at
1,000,000 demands a box reads ~60,000 index entries of the latitude band, plus ~40,000 of
the 30-day window to intersect them (30–70 ms). This index files demands by grid cell
(1/300 degree, about 370 m × 310 m here) and then by time, so a check reads the 3 × 3
cells around the point for the window only (a few hundred entries, ~1 ms).
``insights.duplicates`` asks with the same expressions (``CELLS_PER_DEGREE``). SQLite
installations are small and keep using ``demand_place``.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS demand_place_cell_time ON demands_demand "
    "(floor(latitude * 300), floor(longitude * 300), submitted_at) "
    "WHERE latitude IS NOT NULL AND longitude IS NOT NULL"
)
DROP = "DROP INDEX IF EXISTS demand_place_cell_time"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("insights", "0002_search_index"),
        ("demands", "0006_place_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
