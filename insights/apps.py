from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("智能分析")

    def ready(self):
        # the capabilities (access) and the listeners of the service loop's signals
        from . import access, receivers  # noqa: F401
