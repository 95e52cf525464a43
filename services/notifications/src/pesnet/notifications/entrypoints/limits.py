"""How often anyone may write to notifications (`pesnet.shared.rate_limits`, per client
address): route dependencies, the limits from the service's settings."""

from __future__ import annotations

from typing import Any

from pesnet.notifications.settings import Settings
from pesnet.shared.rate_limits import Limit, limited
from pesnet.shared.settings import ServiceSettings


def _settings(settings: ServiceSettings) -> Settings:
    """The service's settings (an app built on the kernel's alone: the defaults)."""
    if isinstance(settings, Settings):
        return settings
    return Settings.model_validate({"PESNET_ENV": "test"})


def _preferences(settings: ServiceSettings) -> Limit:
    return _settings(settings).preferences_limit()


def _webhook_subscriptions(settings: ServiceSettings) -> Limit:
    return _settings(settings).webhook_subscriptions_limit()


PreferencesPerAddress: Any = limited(_preferences)
WebhookSubscriptionsPerAddress: Any = limited(_webhook_subscriptions)
