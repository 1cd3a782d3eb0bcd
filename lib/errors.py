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
