from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "创建活动"

    def ready(self):
        from . import access  # noqa: F401 - registers the capabilities
