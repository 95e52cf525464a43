"""Settings of the actionplan service (environment variables, see the README)."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator

from pesnet.shared.delegation_links import delegation_link_keys
from pesnet.shared.settings import ServiceSettings, require_urls


class Settings(ServiceSettings):
    service_name: str = Field(default="actionplan", alias="PESNET_SERVICE")
    http_port: int = Field(default=8003, alias="PESNET_HTTP_PORT")
    # Reminder scheduler: how often it looks, and how far ahead "soon" reaches.
    reminders_enabled: bool = Field(default=True, alias="ACTIONPLAN_REMINDERS_ENABLED")
    reminder_interval_seconds: float = Field(
        default=3600.0, gt=0, alias="ACTIONPLAN_REMINDER_INTERVAL_SECONDS"
    )
    reminder_horizon_days: int = Field(
        default=14, ge=1, le=120, alias="ACTIONPLAN_REMINDER_HORIZON_DAYS"
    )
    # Evidence files are erased this many days after their plan is closed (the sweep
    # looks every interval).
    evidence_retention_days: int = Field(
        default=365, ge=0, le=3650, alias="ACTIONPLAN_EVIDENCE_RETENTION_DAYS"
    )
    evidence_sweep_interval_seconds: float = Field(
        default=3600.0, gt=0, alias="ACTIONPLAN_EVIDENCE_SWEEP_INTERVAL_SECONDS"
    )
    # the keys of heads of delegation's consultation links (shared with registration,
    # which signs them; dev: a fixed development key; else unset: no such link is taken)
    delegation_link_keys_setting: SecretStr | None = Field(
        default=None, alias="PESNET_DELEGATION_LINK_KEYS"
    )
    # identity's address as this service reaches it (the focal points' and the
    # secretariat's sign-in on the pages; unset: from PESNET_JWKS_URL, else, in dev mode,
    # this service's host, port 8005)

    @model_validator(mode="after")
    def _identity_address(self) -> Settings:
        if not self.dev_mode:
            require_urls({"PESNET_IDENTITY_URL": self.identity_base_url()})
        return self

    def delegation_link_keys(self) -> tuple[bytes, ...]:
        return delegation_link_keys(self.delegation_link_keys_setting, dev_mode=self.dev_mode)
