"""An application's history in the demo-scale data set: the rows of ``application_events``, each a move the
workflow allows, none after now."""

from __future__ import annotations

from datetime import datetime

from certcenter.applications import workflow as wf


class History:
    """An application's moves up to now: a move that would happen after ``now`` is not made (and returns False)."""

    def __init__(self, application_id: int, now: datetime) -> None:
        self.application_id, self.now = application_id, now
        self.state = wf.DRAFT
        self.events: list[dict] = []

    def move(self, to_state: str, at: datetime, actor_id: int | None, reason: str | None = None) -> bool:
        if at > self.now:
            return False
        self.events.append(
            {
                "application_id": self.application_id,
                "at": at,
                "actor_id": actor_id,
                "from_state": self.state,
                "to_state": to_state,
                "reason": reason,
            }
        )
        self.state = to_state
        return True
