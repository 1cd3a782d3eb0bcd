from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("智能分析")

    def ready(self):
        from . import access  # noqa: F401 - registers the insight capabilities
