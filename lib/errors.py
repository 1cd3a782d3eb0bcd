"""The one refusal type of every domain action."""


class ActionError(Exception):
    """A refused action. ``code`` is stable for APIs (invalid, forbidden, not_found,
    wrong_state, conflict); ``message`` is a Chinese sentence for people; ``field`` names
    the input at fault, if one is."""

    def __init__(self, code: str, message: str, field: str | None = None):
        self.code = code
        self.message = message
        self.field = field
        super().__init__(message)


def clean_text(value: str, label: str, *, required: bool = True, limit: int = 2000,
               field_name: str | None = None) -> str:
    """Free text an action takes: stripped, present when ``required``, at most ``limit``
    characters; otherwise an ``ActionError`` naming ``label`` in Chinese."""
    value = (value or "").strip()
    if required and not value:
        raise ActionError("invalid", f"请填写{label}。", field_name)
    if len(value) > limit:
        raise ActionError("invalid", f"{label}不能超过 {limit} 字（现为 {len(value)} 字）。",
                          field_name)
    return value


def clean_date(value, label: str, *, required: bool = True, field_name: str | None = None):
    """A date an action takes: a ``date``, a ``datetime`` (its local day) or ISO text
    ("2026-07-01"); ``None`` when empty and not ``required``; otherwise an ``ActionError``
    naming ``label`` in Chinese."""
    import datetime as dt

    from django.utils import timezone

    if value in (None, ""):
        if required:
            raise ActionError("invalid", f"请填写{label}。", field_name)
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ActionError("invalid", f"{label}格式应为 2026-07-01。", field_name) from None
