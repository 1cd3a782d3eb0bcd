from django.utils.functional import SimpleLazyObject

from org.queries import identity_of


def identity(request):
    """``console_identity``: who is signed in (name, unit, roles), fetched only if used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"console_identity": SimpleLazyObject(lambda: identity_of(user))}
