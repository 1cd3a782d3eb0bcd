from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("批量导入")

    def ready(self):
        from . import access  # noqa: F401 - registers the import capabilities
