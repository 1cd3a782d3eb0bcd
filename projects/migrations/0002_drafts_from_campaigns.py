"""Every practical-project draft of ``campaigns`` (issue #5's hotspot drafts) becomes a
``Project`` in state 草稿, with its demands; the drafts themselves are left in place until
``campaigns`` drops the model (so this migration can be reversed by deleting the copies)."""

from django.db import migrations


def copy_drafts(apps, schema_editor):
    Draft = apps.get_model("campaigns", "ProjectDraft")
    Project = apps.get_model("projects", "Project")
    Event = apps.get_model("projects", "ProjectEvent")
    for draft in Draft.objects.order_by("pk"):
        project = Project.objects.create(
            title=draft.title, keywords=draft.keywords, background=draft.description,
            since=draft.since, until=draft.until, state="draft",
            created_by_id=draft.created_by_id, created_at=draft.created_at)
        project.demands.set(draft.demands.all())
        Event.objects.create(project=project, kind="create", actor_id=draft.created_by_id,
                             at=draft.created_at, to_state="draft",
                             data={"from_draft": draft.pk})


def delete_copies(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Project.objects.filter(events__kind="create", events__data__has_key="from_draft").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("campaigns", "0002_project_draft"),
    ]

    operations = [migrations.RunPython(copy_drafts, delete_copies)]
