"""Settings from environment variables (pydantic-settings).

Every variable is documented in the README's configuration table. Dev mode
(`PESNET_ENV=dev`, what `make run` sets) is the only place where defaults for
credentials exist: outside it a service refuses to start without them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pesnet.shared.topology import UNROUTED_MAX_LENGTH, UNROUTED_TTL_SECONDS

DEV_SECRETARIAT_TOKEN = "dev-secretariat-token"  # noqa: S105 - dev mode only, printed by make run
DEV_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
# What the identity service puts in its access tokens and every service expects.
DEFAULT_ISSUER = "urn:pesnet:identity"
DEFAULT_AUDIENCE = "pesnet"


class ServiceSettings(BaseSettings):
    """Settings shared by all four services; a service may subclass to add its own."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    service_name: str = Field(default="pesnet", alias="PESNET_SERVICE")
    env: Literal["dev", "test", "production"] = Field(default="production", alias="PESNET_ENV")
    rabbitmq_url: SecretStr | None = Field(default=None, alias="RABBITMQ_URL")
    mongodb_url: SecretStr | None = Field(default=None, alias="MONGODB_URL")
    database_name: str | None = Field(default=None, alias="PESNET_DATABASE")
    # The consuming queue; replicas of a service share it. Defaults to the service name.
    queue_name: str | None = Field(default=None, alias="PESNET_QUEUE")
    secretariat_token: SecretStr | None = Field(default=None, alias="PESNET_SECRETARIAT_TOKEN")
    # false: the shared secretariat token is refused everywhere (once accounts exist, it
    # is only needed to create the first administrator)
    secretariat_token_enabled: bool = Field(default=True, alias="PESNET_SECRETARIAT_TOKEN_ENABLED")
    # Access tokens (JWT, asymmetric signatures only), verified locally: the identity
    # service's keys from its JWKS URL (fetched once, again at most every
    # `jwks_refetch_seconds` when an unknown key id appears) or inline JWKS JSON.
    jwks_url: str | None = Field(default=None, alias="PESNET_JWKS_URL")
    jwks: str | None = Field(default=None, alias="PESNET_JWKS")
    token_issuer: str = Field(default=DEFAULT_ISSUER, alias="PESNET_TOKEN_ISSUER")
    token_audience: str = Field(default=DEFAULT_AUDIENCE, alias="PESNET_TOKEN_AUDIENCE")
    jwks_refetch_seconds: float = Field(default=30.0, ge=0, alias="PESNET_JWKS_REFETCH_SECONDS")
    # An organisation's own OpenID Connect provider, trusted beside identity.
    oidc_issuer: str | None = Field(default=None, alias="PESNET_OIDC_ISSUER")
    oidc_jwks_url: str | None = Field(default=None, alias="PESNET_OIDC_JWKS_URL")
    oidc_audience: str | None = Field(default=None, alias="PESNET_OIDC_AUDIENCE")
    # dotted path of the claim with the StaffRole names (e.g. `realm_access.roles`)
    oidc_roles_claim: str = Field(default="roles", alias="PESNET_OIDC_ROLES_CLAIM")
    oidc_username_claim: str = Field(
        default="preferred_username", alias="PESNET_OIDC_USERNAME_CLAIM"
    )
    oidc_country_claim: str = Field(default="country", alias="PESNET_OIDC_COUNTRY_CLAIM")
    http_host: str = Field(default="127.0.0.1", alias="PESNET_HTTP_HOST")
    http_port: int = Field(default=8000, alias="PESNET_HTTP_PORT")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    # Consumer retry budget: attempts before a message is dead-lettered.
    delivery_limit: int = Field(default=5, ge=1, le=100, alias="PESNET_DELIVERY_LIMIT")
    # Messages a replica holds at once: those whose handler allows it (`by_subject`) run
    # side by side, one subject's in queue order; the others in queue order.
    prefetch: int = Field(default=16, ge=1, le=1000, alias="PESNET_PREFETCH")
    # Outbox relay: poll interval when no change stream wakes it, and the lease a
    # replica holds on an entry it is publishing.
    outbox_poll_seconds: float = Field(default=2.0, gt=0, alias="PESNET_OUTBOX_POLL_SECONDS")
    outbox_lease_seconds: float = Field(default=30.0, gt=0, alias="PESNET_OUTBOX_LEASE_SECONDS")
    # A message body larger than this is dead-lettered unread.
    max_message_bytes: int = Field(default=1024 * 1024, ge=1024, alias="PESNET_MAX_MESSAGE_BYTES")
    # An HTTP request body larger than this is refused (413) unread.
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024, alias="PESNET_MAX_REQUEST_BYTES")
    # Strict-Transport-Security on answers to requests that came over TLS (0: none).
    hsts_seconds: int = Field(default=365 * 24 * 3600, ge=0, alias="PESNET_HSTS_SECONDS")
    # Bounds of `pesnet.unrouted`, the queue of events that no queue is bound to; every
    # service must use the same values (they are the queue's arguments).
    unrouted_ttl_seconds: int = Field(
        default=UNROUTED_TTL_SECONDS, ge=1, alias="PESNET_UNROUTED_TTL_SECONDS"
    )
    unrouted_max_length: int = Field(
        default=UNROUTED_MAX_LENGTH, ge=1, alias="PESNET_UNROUTED_MAX_LENGTH"
    )

    @property
    def dev_mode(self) -> bool:
        return self.env in ("dev", "test")

    @model_validator(mode="after")
    def _credentials_outside_dev_mode(self) -> ServiceSettings:
        if self.oidc_issuer is not None and self.oidc_jwks_url is None:
            raise ValueError("PESNET_OIDC_ISSUER needs PESNET_OIDC_JWKS_URL")
        if self.dev_mode:
            if self.rabbitmq_url is None:
                self.rabbitmq_url = SecretStr(DEV_RABBITMQ_URL)
            if self.secretariat_token is None and self.secretariat_token_enabled:
                self.secretariat_token = SecretStr(DEV_SECRETARIAT_TOKEN)
        if not self.secretariat_token_enabled:
            self.secretariat_token = None
        if self.dev_mode:
            return self
        missing = [
            name
            for name, value in (
                ("RABBITMQ_URL", self.rabbitmq_url),
                ("MONGODB_URL", self.mongodb_url),
                *(
                    [("PESNET_SECRETARIAT_TOKEN", self.secretariat_token)]
                    if self.secretariat_token_enabled
                    else []
                ),
            )
            if value is None
        ]
        if missing:
            raise ValueError(
                f"outside dev mode these must be set: {', '.join(missing)} "
                "(or set PESNET_ENV=dev for local development)"
            )
        return self

    @property
    def database(self) -> str:
        return self.database_name or f"pesnet_{self.service_name}"

    @property
    def queue(self) -> str:
        return self.queue_name or self.service_name

    def amqp_url(self) -> str:
        assert self.rabbitmq_url is not None  # guaranteed by the validator
        return self.rabbitmq_url.get_secret_value()

    def mongo_url(self) -> str:
        if self.mongodb_url is None:
            raise RuntimeError(
                "MONGODB_URL is not set: `make run` starts an embedded MongoDB-wire server "
                "and sets it; elsewhere point it at a MongoDB replica set"
            )
        return self.mongodb_url.get_secret_value()
