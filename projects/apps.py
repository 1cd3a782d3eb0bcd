from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("实事项目与承诺")

    def ready(self):
        from . import access  # noqa: F401 - registers the project capabilities
