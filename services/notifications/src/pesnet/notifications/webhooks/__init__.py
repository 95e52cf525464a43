"""Partner webhooks: signed HTTP deliveries of the public event stream (see WEBHOOKS.md).

The notifications bootstrap calls `install_webhooks(runtime)` and includes the router
it returns."""

from __future__ import annotations

from pesnet.notifications.webhooks.bootstrap import install_webhooks
from pesnet.notifications.webhooks.signing import InvalidSignature, verify_signature

__all__ = ["InvalidSignature", "install_webhooks", "verify_signature"]
