from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("事项目录与工作日历")

    def ready(self):
        from . import receivers  # noqa: F401 - connects the calendar's listeners
