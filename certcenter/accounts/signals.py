"""What accounts tell the domains above them (they connect in their ``init_app``): blinker signals sent inside the
transaction of the change, so a receiver's writes commit or roll back with it."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the User who has just registered, having accepted the privacy notice on the form
candidate_registered = _signals.signal("candidate-registered")
