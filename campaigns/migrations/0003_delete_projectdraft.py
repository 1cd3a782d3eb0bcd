"""The hotspot drafts moved to ``projects`` (migration projects.0002 copied each into a
``Project`` in 草稿 with its demands): the model goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_project_draft"),
        ("projects", "0002_drafts_from_campaigns"),
    ]

    operations = [migrations.DeleteModel(name="ProjectDraft")]
