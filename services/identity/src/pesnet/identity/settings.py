"""Settings of the identity service (environment variables, see its README)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, model_validator

from pesnet.shared.rate_limits import Limit
from pesnet.shared.settings import ServiceSettings, require_urls

# dev mode only (`make run` prints them); outside it no account exists by default
DEV_ADMIN_USERNAME = "admin"
DEV_ADMIN_PASSWORD = "dev-admin-password"  # noqa: S105


class Settings(ServiceSettings):
    # identity verifies its own tokens with its own keys (and an OIDC provider's, if set)
    verifies_published_keys: ClassVar[bool] = False

    service_name: str = Field(default="identity", alias="PESNET_SERVICE")
    http_port: int = Field(default=8005, alias="PESNET_HTTP_PORT")
    # PEM private keys (Ed25519 or EC P-256), one after the other; the last one signs
    signing_keys: SecretStr | None = Field(default=None, alias="PESNET_IDENTITY_SIGNING_KEYS")
    access_token_seconds: int = Field(
        default=900, ge=60, le=86400, alias="PESNET_IDENTITY_ACCESS_TOKEN_SECONDS"
    )
    lockout_failures: int = Field(default=5, ge=1, le=100, alias="PESNET_IDENTITY_LOCKOUT_FAILURES")
    lockout_minutes: int = Field(default=15, ge=1, le=1440, alias="PESNET_IDENTITY_LOCKOUT_MINUTES")
    # sign-in attempts (token and session, any username) per client address and window
    sign_in_per_address: int = Field(
        default=30, ge=1, le=100_000, alias="PESNET_IDENTITY_SIGN_IN_PER_ADDRESS"
    )
    sign_in_address_window_seconds: int = Field(
        default=60, ge=1, le=86400, alias="PESNET_IDENTITY_SIGN_IN_ADDRESS_WINDOW_SECONDS"
    )
    api_token_max_days: int = Field(
        default=365, ge=1, le=3650, alias="PESNET_IDENTITY_API_TOKEN_MAX_DAYS"
    )
    # where people and services reach identity (the OpenID configuration's URLs);
    # required outside dev mode
    public_url: str | None = Field(default=None, alias="PESNET_IDENTITY_PUBLIC_URL")
    # dev mode: the administrator `make run` creates (and prints)
    dev_admin_username: str | None = Field(default=None, alias="PESNET_DEV_ADMIN_USERNAME")
    dev_admin_password: SecretStr | None = Field(default=None, alias="PESNET_DEV_ADMIN_PASSWORD")

    @model_validator(mode="after")
    def _identity(self) -> Settings:
        if not self.dev_mode:
            if self.signing_keys is None:
                raise ValueError("outside dev mode PESNET_IDENTITY_SIGNING_KEYS must be set")
            require_urls({"PESNET_IDENTITY_PUBLIC_URL": self.public_url})
        if self.env == "dev":
            self.dev_admin_username = self.dev_admin_username or DEV_ADMIN_USERNAME
            self.dev_admin_password = self.dev_admin_password or SecretStr(DEV_ADMIN_PASSWORD)
        if self.public_url is None:
            self.public_url = f"http://{self.http_host}:{self.http_port}"
        return self

    def sign_in_limit(self) -> Limit:
        """How often one client address may try to sign in."""
        return Limit(
            "sign_in.address", self.sign_in_per_address, self.sign_in_address_window_seconds
        )

    def public_base_url(self) -> str:
        assert self.public_url is not None  # set by the validator
        return self.public_url.rstrip("/")
