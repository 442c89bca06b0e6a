"""Refusals a user can act on. Every domain's errors derive from ``UserError``: a view catches them to show the
message next to the form, and whatever a view does not catch is answered by the shell (``core.web``) with the
message on the error page, in the user's language, never as a stack trace."""

from __future__ import annotations

from typing import Any


class UserError(ValueError):
    """A refused request, with a message for the user and, where it belongs to one, the form field."""

    status = 409  # the request was understood but does not fit the current state of things

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
