from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "demands"
    verbose_name = _("诉求办理")

    def ready(self):
        from django.db.models.signals import post_delete

        from . import access  # noqa: F401 - registers the demand capabilities
        from .models import Demand

        post_delete.connect(_deleted, sender=Demand, dispatch_uid="demands-rollup-delete")


def _deleted(sender, instance, **kwargs):
    """A deleted demand leaves its days' roll-ups (demands/rollups.py)."""
    from .models import DAY_FIELDS, days_of, mark

    mark(days_of(getattr(instance, field) for field in DAY_FIELDS))
