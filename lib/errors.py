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
