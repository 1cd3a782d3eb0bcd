from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = _("地名库")

    def ready(self):
        from . import access, receivers  # noqa: F401 - capabilities and listeners
