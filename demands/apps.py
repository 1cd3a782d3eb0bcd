from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "demands"
    verbose_name = _("诉求办理")

    def ready(self):
        from . import access  # noqa: F401 - registers the demand capabilities
