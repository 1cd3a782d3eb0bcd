from django.utils.functional import SimpleLazyObject

from org.queries import identity_of


def identity(request):
    """``console_identity``: who is signed in (name, unit, roles), fetched only if used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from inbox.models import Notification
    from org import access

    return {
        "console_identity": SimpleLazyObject(lambda: identity_of(user)),
        "console_unread": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()),
        "console_can": SimpleLazyObject(lambda: {
            "demands": access.can_anywhere(user, "demand.view"),
            "register": access.can_anywhere(user, "demand.receive"),
            "imports": access.can_anywhere(user, "import.run"),
            "dashboard": access.can_anywhere(user, "demand.kpi"),
            "routing": access.can_anywhere(user, "routing.admin"),
            "hotspots": access.can_anywhere(user, "hotspot.view"),
            "duplicates": access.can_anywhere(user, "demand.dispatch"),
        }),
    }
