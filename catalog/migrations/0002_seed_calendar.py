from django.db import migrations


def seed_calendar(apps, schema_editor):
    from catalog.calendar import sync_from_package

    sync_from_package(apps.get_model("catalog", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(seed_calendar, migrations.RunPython.noop)]
