"""Listeners of the apps below (architecture decision 11): connected in ``ready()``."""

from django.dispatch import receiver

from campaigns.signals import campaign_copied

from . import actions


@receiver(campaign_copied, dispatch_uid="activities.copy_targets")
def copy_targets(sender, source, copy, shift, **kwargs):
    """A copied campaign gets its source's targets, their periods shifted like its phases."""
    actions.copy_targets(source, copy, shift)
