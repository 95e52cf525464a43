"""Settings of the registration service (environment variables, see the README)."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator

from pesnet.shared.delegation_links import LIFETIME_DAYS, delegation_link_keys
from pesnet.shared.manage_links import manage_link_keys
from pesnet.shared.rate_limits import Limit
from pesnet.shared.settings import ServiceSettings, require_urls

# Only ever used in dev/test mode; outside it the service refuses to start without
# PESNET_BADGE_SECRET (a forged badge would otherwise pass the check-in desk).
DEV_BADGE_SECRET = "dev-badge-secret-not-for-production"  # noqa: S105


class Settings(ServiceSettings):
    service_name: str = Field(default="registration", alias="PESNET_SERVICE")
    http_port: int = Field(default=8001, alias="PESNET_HTTP_PORT")
    # HMAC key that signs badge tokens (QR codes).
    badge_secret: SecretStr | None = Field(default=None, alias="PESNET_BADGE_SECRET")
    # Keys of the registrants' manage links (comma-separated, the first signs; shared
    # with notifications, which signs the links of its mails): required outside dev mode.
    manage_link_keys_setting: SecretStr | None = Field(
        default=None, alias="PESNET_MANAGE_LINK_KEYS"
    )
    # Base URL of this service as registrants reach it (manage links, badge links);
    # required outside dev mode (dev: http://<PESNET_HTTP_HOST>:<PESNET_HTTP_PORT>).
    public_url: str | None = Field(default=None, alias="PESNET_REGISTRATION_PUBLIC_URL")
    # Per-country quota when `agenda.meeting.scheduled` gives none (unset: no quota).
    default_delegation_quota: int | None = Field(
        default=3, ge=1, alias="PESNET_DEFAULT_DELEGATION_QUOTA"
    )

    # Pages: the agenda's public address (the programme and calendar links; required
    # outside dev mode, dev: this service's host, the next port) and identity's as this
    # service reaches it (the desk's and console's sign-in; unset: from PESNET_JWKS_URL,
    # else, in dev mode, this service's host, port 8005).
    agenda_public_url: str | None = Field(default=None, alias="PESNET_AGENDA_PUBLIC_URL")
    # A confirmed head of delegation's link to comment on a draft action plan from their
    # manage page: the keys (shared with actionplan only) and the action plan's public
    # address (dev: this service's host, port + 2). Outside dev mode, without both, no link.
    delegation_link_keys_setting: SecretStr | None = Field(
        default=None, alias="PESNET_DELEGATION_LINK_KEYS"
    )
    actionplan_public_url: str | None = Field(default=None, alias="PESNET_ACTIONPLAN_PUBLIC_URL")
    # how long such a link works (the manage page signs a fresh one each time it opens)
    delegation_link_days: int = Field(
        default=LIFETIME_DAYS, ge=1, le=365, alias="PESNET_DELEGATION_LINK_DAYS"
    )

    # Registrations without credentials (each one mails its address): per client address
    # and per e-mail address, in windows of an hour; past either, 429 with Retry-After
    registrations_per_address: int = Field(
        default=60, ge=1, le=1_000_000, alias="PESNET_REGISTRATIONS_PER_ADDRESS"
    )
    registrations_per_email: int = Field(
        default=5, ge=1, le=1_000_000, alias="PESNET_REGISTRATIONS_PER_EMAIL"
    )

    def registrations_per_address_limit(self) -> Limit:
        return Limit("register.address", self.registrations_per_address, 3600)

    def registrations_per_email_limit(self) -> Limit:
        return Limit("register.email", self.registrations_per_email, 3600)

    @model_validator(mode="after")
    def _secret_and_addresses(self) -> Settings:
        if self.badge_secret is None:
            if not self.dev_mode:
                raise ValueError("outside dev mode PESNET_BADGE_SECRET must be set")
            self.badge_secret = SecretStr(DEV_BADGE_SECRET)
        if not self.manage_link_keys():
            raise ValueError("outside dev mode PESNET_MANAGE_LINK_KEYS must be set")
        if not self.dev_mode:
            # mailed and printed links, and the sign-in's call: never 0.0.0.0
            require_urls(
                {
                    "PESNET_REGISTRATION_PUBLIC_URL": self.public_url,
                    "PESNET_AGENDA_PUBLIC_URL": self.agenda_public_url,
                    "PESNET_IDENTITY_URL": self.identity_base_url(),
                }
            )
        if self.public_url is None:
            self.public_url = f"http://{self.http_host}:{self.http_port}"
        return self

    def consultation_page(self) -> str | None:
        """The action plan's page a head of delegation comments from (None: no link)."""
        if self.actionplan_public_url:
            return f"{self.actionplan_public_url.rstrip('/')}/delegation"
        return f"http://{self.http_host}:{self.http_port + 2}/delegation" if self.dev_mode else None

    def delegation_link_keys(self) -> tuple[bytes, ...]:
        return delegation_link_keys(self.delegation_link_keys_setting, dev_mode=self.dev_mode)

    def agenda_base_url(self) -> str:
        return self.agenda_public_url or f"http://{self.http_host}:{self.http_port + 1}"

    def public_base_url(self) -> str:
        assert self.public_url is not None  # set by the validator
        return self.public_url

    def manage_link_keys(self) -> tuple[bytes, ...]:
        return manage_link_keys(self.manage_link_keys_setting, dev_mode=self.dev_mode)

    def badge_key(self) -> bytes:
        assert self.badge_secret is not None  # guaranteed by the validator
        return self.badge_secret.get_secret_value().encode()
