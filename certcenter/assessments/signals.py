"""What assessment tells the domains above it (they connect in their ``init_app``): blinker signals, sent inside the
transaction of the change, so a receiver's writes commit or roll back with it."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Decision just recorded; keyword: actor
decision_recorded = _signals.signal("decision-recorded")
