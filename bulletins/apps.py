from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = _("通报")

    def ready(self):
        from . import access  # noqa: F401 - registers the capabilities
