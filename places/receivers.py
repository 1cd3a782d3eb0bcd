"""Place mentions are recognised as demands are written (one batch per action or import
chunk), in the action's transaction."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from demands.signals import demands_created, demands_updated

from . import actions
from .models import Place
from .recognise import gazetteer


@receiver(demands_created, dispatch_uid="places.recognise_created")
def recognise_created(sender, demands, **kwargs):
    actions.record_mentions(demands)


@receiver(demands_updated, dispatch_uid="places.recognise_updated")
def recognise_updated(sender, demands, **kwargs):
    actions.record_mentions(demands, replace=True)


@receiver([post_save, post_delete], sender=Place, dispatch_uid="places.gazetteer_changed")
def gazetteer_changed(sender, **kwargs):
    gazetteer.changed()
