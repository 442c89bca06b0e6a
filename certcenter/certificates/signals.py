"""What certificates tell the domains above them (they connect in their ``init_app``): blinker signals, sent inside
the transaction of the change, so a receiver's writes commit or roll back with it."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: None; keywords: application_ids (those that got a certificate), actor
certificates_issued = _signals.signal("certificates-issued")
