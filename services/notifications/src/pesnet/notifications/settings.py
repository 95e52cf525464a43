"""Settings of the notifications service (environment variables, see the README)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator

from pesnet.shared.rate_limits import Limit
from pesnet.shared.settings import ServiceSettings

DEV_LINK_SECRET = "dev-notifications-link-secret"  # noqa: S105 - dev mode only


class Settings(ServiceSettings):
    service_name: str = Field(default="notifications", alias="PESNET_SERVICE")
    http_port: int = Field(default=8004, alias="PESNET_HTTP_PORT")

    # Where mail goes. Under `make run` the dev runner starts the SMTP sink and sets these.
    smtp_host: str = Field(default="127.0.0.1", alias="SMTP_HOST")
    smtp_port: int = Field(default=1025, ge=1, le=65535, alias="SMTP_PORT")
    smtp_from: str = Field(
        default="OIC-PESNET <no-reply@pesnet.sesric.org>", alias="SMTP_FROM", min_length=3
    )
    smtp_username: str | None = Field(default=None, alias="SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(default=None, alias="SMTP_PASSWORD")
    smtp_starttls: bool = Field(default=False, alias="SMTP_STARTTLS")
    smtp_use_tls: bool = Field(default=False, alias="SMTP_TLS")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, alias="SMTP_TIMEOUT_SECONDS")

    # The Maildir the dev SMTP sink writes to; `GET /dev/mailbox` lists it (dev mode only).
    dev_mailbox: Path | None = Field(default=None, alias="PESNET_DEV_MAILBOX")

    # Delivery worker: how often it looks for due deliveries when nothing woke it (a
    # delivery the consumer commits wakes it at once), how long a replica holds a
    # delivery it is sending, and the retry budget of transient SMTP failures.
    worker_poll_seconds: float = Field(default=0.5, gt=0, alias="NOTIFICATIONS_POLL_SECONDS")
    worker_lease_seconds: float = Field(default=60.0, gt=0, alias="NOTIFICATIONS_LEASE_SECONDS")
    # mails one replica sends at once
    worker_concurrency: int = Field(default=8, ge=1, le=64, alias="NOTIFICATIONS_WORKERS")
    max_attempts: int = Field(default=6, ge=1, le=50, alias="NOTIFICATIONS_MAX_ATTEMPTS")
    retry_base_seconds: float = Field(default=2.0, gt=0, alias="NOTIFICATIONS_RETRY_BASE_SECONDS")
    retry_max_seconds: float = Field(default=600.0, gt=0, alias="NOTIFICATIONS_RETRY_MAX_SECONDS")
    # Programme changes for one person within this window go out as one digest mail.
    digest_window_seconds: float = Field(
        default=600.0, ge=0, alias="NOTIFICATIONS_DIGEST_WINDOW_SECONDS"
    )

    # A finished delivery (the log of what was sent to whom) expires this long after it
    # finished; a purge of its meeting empties it before.
    delivery_retention_days: int = Field(
        default=30, ge=1, le=3650, alias="NOTIFICATIONS_DELIVERY_RETENTION_DAYS"
    )

    # Signed links in every mail (preferences page); the secret signs them.
    link_secret: SecretStr | None = Field(default=None, alias="NOTIFICATIONS_LINK_SECRET")
    public_url: str = Field(default="http://127.0.0.1:8004", alias="NOTIFICATIONS_PUBLIC_URL")

    # Writes anyone may make, per client address: changes through a mail's preferences
    # link (a minute), and webhook subscriptions, whose addresses are resolved and
    # checked (an hour)
    preferences_per_address: int = Field(
        default=30, ge=1, le=100_000, alias="NOTIFICATIONS_PREFERENCES_PER_ADDRESS"
    )
    webhook_subscriptions_per_address: int = Field(
        default=20, ge=1, le=100_000, alias="PESNET_WEBHOOK_SUBSCRIPTIONS_PER_ADDRESS"
    )

    def preferences_limit(self) -> Limit:
        return Limit("preferences.address", self.preferences_per_address, 60)

    def webhook_subscriptions_limit(self) -> Limit:
        return Limit("webhook_subscriptions.address", self.webhook_subscriptions_per_address, 3600)

    @model_validator(mode="after")
    def _link_secret_outside_dev_mode(self) -> Settings:
        if self.link_secret is None:
            if not self.dev_mode:
                raise ValueError("outside dev mode NOTIFICATIONS_LINK_SECRET must be set")
            self.link_secret = SecretStr(DEV_LINK_SECRET)
        return self

    def link_key(self) -> bytes:
        assert self.link_secret is not None  # guaranteed by the validator
        return self.link_secret.get_secret_value().encode()
