from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("活动记录与目标")

    def ready(self):
        from . import access, receivers  # noqa: F401 - capabilities and listeners
