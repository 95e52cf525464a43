"""Settings of the notifications service (environment variables, see the README)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator

from pesnet.shared.manage_links import manage_link_keys
from pesnet.shared.rate_limits import Limit
from pesnet.shared.settings import ServiceSettings, require_urls

DEV_LINK_SECRET = "dev-notifications-link-secret"  # noqa: S105 - dev mode only
# dev/test mode only: the SMTP sink `make run` starts, and this service's own address
DEV_SMTP_HOST = "127.0.0.1"
DEV_SMTP_PORT = 1025
DEV_PUBLIC_URL = "http://127.0.0.1:8004"


class Settings(ServiceSettings):
    service_name: str = Field(default="notifications", alias="PESNET_SERVICE")
    http_port: int = Field(default=8004, alias="PESNET_HTTP_PORT")

    # Where mail goes (required outside dev mode). Under `make run` the dev runner starts
    # the SMTP sink and sets these.
    smtp_host: str = Field(default="", alias="SMTP_HOST")
    smtp_port: int | None = Field(default=None, ge=1, le=65535, alias="SMTP_PORT")
    smtp_from: str = Field(
        default="OIC-PESNET <no-reply@pesnet.sesric.org>", alias="SMTP_FROM", min_length=3
    )
    smtp_username: str | None = Field(default=None, alias="SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(default=None, alias="SMTP_PASSWORD")
    smtp_starttls: bool = Field(default=False, alias="SMTP_STARTTLS")
    smtp_use_tls: bool = Field(default=False, alias="SMTP_TLS")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, alias="SMTP_TIMEOUT_SECONDS")
    # the whole send (connect, TLS, every command, the data): SMTP_TIMEOUT_SECONDS bounds
    # each step only, so a relay that answers just in time at every step, or a send stuck
    # outside a step, would keep a worker's slot for good. Past it the send fails and is
    # retried; keep it below NOTIFICATIONS_LEASE_SECONDS, so that no other worker takes
    # the mail while the hung send still holds it.
    smtp_send_timeout_seconds: float = Field(default=45.0, gt=0, alias="SMTP_SEND_TIMEOUT_SECONDS")
    # a connection that sent a mail sends the next one if it comes within this many
    # seconds (no new connection, EHLO, TLS handshake or login); 0: one connection per
    # mail. Keep it below the relay's idle timeout (Postfix: 300 s).
    smtp_reuse_seconds: float = Field(default=30.0, ge=0, alias="SMTP_REUSE_SECONDS")

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

    # Signed links in every mail (preferences page); the secret signs them, the public
    # URL (required outside dev mode) is where recipients reach this service.
    link_secret: SecretStr | None = Field(default=None, alias="NOTIFICATIONS_LINK_SECRET")
    # Keys of the registrants' manage links (registration's, shared): the mails about a
    # registration carry its link, signed when the mail is sent (required outside dev mode)
    manage_link_keys_setting: SecretStr | None = Field(
        default=None, alias="PESNET_MANAGE_LINK_KEYS"
    )
    public_url: str = Field(default="", alias="NOTIFICATIONS_PUBLIC_URL")

    @field_validator("smtp_username", "smtp_password", mode="before")
    @classmethod
    def _empty_is_no_account(cls, value: object) -> object:
        # an env file's `SMTP_USERNAME=` means "no account", not an empty user name
        return None if value == "" else value

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
    def _mail_outside_dev_mode(self) -> Settings:
        if self.dev_mode:
            self.link_secret = self.link_secret or SecretStr(DEV_LINK_SECRET)
            self.smtp_host = self.smtp_host or DEV_SMTP_HOST
            self.smtp_port = self.smtp_port or DEV_SMTP_PORT
            self.public_url = self.public_url or DEV_PUBLIC_URL
            return self
        missing = [
            name
            for name, value in (
                ("NOTIFICATIONS_LINK_SECRET", self.link_secret),
                ("PESNET_MANAGE_LINK_KEYS", self.manage_link_keys()),
                ("SMTP_HOST", self.smtp_host),
                ("SMTP_PORT", self.smtp_port),
            )
            if not value
        ]
        if missing:
            raise ValueError(f"outside dev mode these must be set: {', '.join(missing)}")
        require_urls({"NOTIFICATIONS_PUBLIC_URL": self.public_url})
        return self

    def manage_link_keys(self) -> tuple[bytes, ...]:
        return manage_link_keys(self.manage_link_keys_setting, dev_mode=self.dev_mode)

    def link_key(self) -> bytes:
        assert self.link_secret is not None  # guaranteed by the validator
        return self.link_secret.get_secret_value().encode()
