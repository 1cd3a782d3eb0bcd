from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("智能分析")

    def ready(self):
        from . import access  # noqa: F401 - registers the insight capabilities
        from .autodispatch import connect as connect_autodispatch

        connect_autodispatch()

        from django.db.models.signals import post_save

        from demands import signals

        from . import search

        signals.demands_created.connect(search.on_demands_changed,
                                        dispatch_uid="insights.search.created")
        signals.demands_updated.connect(search.on_demands_changed,
                                        dispatch_uid="insights.search.updated")
        post_save.connect(search.on_demand_saved, sender="demands.Demand",
                          dispatch_uid="insights.search.saved")

        from . import duplicates

        signals.demands_created.connect(duplicates.on_demands_created,
                                        dispatch_uid="insights.duplicates.created")
        signals.demands_updated.connect(duplicates.on_demands_updated,
                                        dispatch_uid="insights.duplicates.updated")
