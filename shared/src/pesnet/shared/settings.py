"""Settings from environment variables (pydantic-settings).

Every variable is documented in the README's configuration table. Dev mode
(`PESNET_ENV=dev`, what `make run` sets; `test` in the test suite) is the only place
where defaults for credentials and addresses exist: outside it a service refuses to
start without them, and says which setting is missing or unusable
(`load_settings`, what each service's `__main__` calls).
"""

from __future__ import annotations

import ipaddress
import re
import sys
from typing import ClassVar, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pesnet.shared.topology import UNROUTED_MAX_LENGTH, UNROUTED_TTL_SECONDS

DEV_SECRETARIAT_TOKEN = "dev-secretariat-token"  # noqa: S105 - dev mode only, printed by make run
DEV_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
# What the identity service puts in its access tokens and every service expects.
DEFAULT_ISSUER = "urn:pesnet:identity"
DEFAULT_AUDIENCE = "pesnet"
# Outside dev mode the shared secretariat token, where switched on, must be a long
# random value: it acts as the administrator and never expires.
SECRETARIAT_TOKEN_MIN_LENGTH = 32
SECRETARIAT_TOKEN_MIN_DISTINCT = 10


def secretariat_token_problem(token: str) -> str | None:
    """Why `token` is too weak for the shared secretariat token, or None: at least
    `SECRETARIAT_TOKEN_MIN_LENGTH` characters with at least
    `SECRETARIAT_TOKEN_MIN_DISTINCT` different ones (`openssl rand -base64 32` gives 44)."""
    if len(token) < SECRETARIAT_TOKEN_MIN_LENGTH:
        return f"at least {SECRETARIAT_TOKEN_MIN_LENGTH} random characters, not {len(token)}"
    if len(set(token)) < SECRETARIAT_TOKEN_MIN_DISTINCT:
        return "a random value, not a repeated pattern"
    return None


def url_problem(value: str) -> str | None:
    """Why `value` cannot be an address that people or other services use, or None:
    it must be an absolute http(s) URL naming a host, and not the unspecified address
    (`0.0.0.0`, `::`), which is where a server listens, never where anyone connects."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "an http:// or https:// URL"
    if not host:
        return "a URL with a host name"
    try:
        if ipaddress.ip_address(host).is_unspecified:
            return f"a host that can be reached, not {host}"
    except ValueError:
        pass  # a name, not an address
    return None


UNEXPANDED = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def unexpanded_reference(name: str, value: str) -> str | None:
    """Why `value` is not what the manifest meant, or None: Kubernetes leaves a `$(VAR)`
    reference to a variable defined nowhere before it as written, so a URL assembled from
    a Secret's keys arrives with `$(RABBITMQ_PASSWORD)` in it when that key is missing."""
    match = UNEXPANDED.search(value)
    if match is None:
        return None
    return (
        f"{name} holds $({match.group(1)}), which was never set: "
        f"{match.group(1)} must be defined before {name}"
    )


def require_urls(urls: dict[str, str | None]) -> None:
    """Outside dev mode: every one of `urls` (setting name → value) set and usable;
    ValueError naming each one that is not."""
    problems = []
    for name, value in urls.items():
        if not value:
            problems.append(f"{name} must be set")
        elif (why := url_problem(value)) is not None:
            problems.append(f"{name} must be {why}: {value!r}")
    if problems:
        raise ValueError("; ".join(problems))


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
    # The shared secretariat token: on in dev/test mode, off elsewhere unless switched on
    # here (then it must be long and random). People sign in at identity instead; the
    # first administrator is made with `python -m pesnet.identity create-admin`.
    secretariat_token_enabled: bool | None = Field(
        default=None, alias="PESNET_SECRETARIAT_TOKEN_ENABLED"
    )
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
    # identity's address as this service reaches it (staff sign in on the service's own
    # pages, `sign_in_pages`; unset: from PESNET_JWKS_URL, else this host, port 8005)
    identity_url: str | None = Field(default=None, alias="PESNET_IDENTITY_URL")
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

    # Whether this service verifies identity's access tokens with published keys
    # (`PESNET_JWKS_URL`, required outside dev mode); identity holds its own keys.
    verifies_published_keys: ClassVar[bool] = True

    @property
    def dev_mode(self) -> bool:
        return self.env in ("dev", "test")

    @model_validator(mode="after")
    def _credentials_outside_dev_mode(self) -> ServiceSettings:
        if self.oidc_issuer is not None and self.oidc_jwks_url is None:
            raise ValueError("PESNET_OIDC_ISSUER needs PESNET_OIDC_JWKS_URL")
        if self.secretariat_token_enabled is None:
            self.secretariat_token_enabled = self.dev_mode
        if self.dev_mode:
            if self.rabbitmq_url is None:
                self.rabbitmq_url = SecretStr(DEV_RABBITMQ_URL)
            if self.secretariat_token is None and self.secretariat_token_enabled:
                self.secretariat_token = SecretStr(DEV_SECRETARIAT_TOKEN)
        if not self.secretariat_token_enabled:
            self.secretariat_token = None
        if self.dev_mode:
            return self
        needed: list[tuple[str, object]] = [
            ("RABBITMQ_URL", self.rabbitmq_url),
            ("MONGODB_URL", self.mongodb_url),
        ]
        if self.secretariat_token_enabled:
            needed.append(("PESNET_SECRETARIAT_TOKEN", self.secretariat_token))
        if self.verifies_published_keys and self.jwks is None:
            needed.append(("PESNET_JWKS_URL", self.jwks_url))
        missing = [name for name, value in needed if value is None]
        if missing:
            raise ValueError(
                f"outside dev mode these must be set: {', '.join(missing)} "
                "(or set PESNET_ENV=dev for local development)"
            )
        for name, secret in (
            ("RABBITMQ_URL", self.rabbitmq_url),
            ("MONGODB_URL", self.mongodb_url),
        ):
            assert secret is not None  # checked above
            if (why := unexpanded_reference(name, secret.get_secret_value())) is not None:
                raise ValueError(why)
        if self.secretariat_token is not None:
            weak = secretariat_token_problem(self.secretariat_token.get_secret_value())
            if weak is not None:
                raise ValueError(f"PESNET_SECRETARIAT_TOKEN must be {weak}")
        if self.jwks_url is not None:
            require_urls({"PESNET_JWKS_URL": self.jwks_url})
        return self

    def identity_base_url(self) -> str:
        if self.identity_url:
            return self.identity_url
        suffix = "/.well-known/jwks.json"
        if self.jwks_url and self.jwks_url.endswith(suffix):
            return self.jwks_url.removesuffix(suffix)
        return f"http://{self.http_host}:8005"

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


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


def load_settings(settings_class: type[SettingsT]) -> SettingsT:
    """The service's settings from its environment; a refused configuration ends the
    process with status 2 and one line per problem on stderr, each naming the setting
    (what a container's log shows when a manifest lacks a variable)."""
    try:
        return settings_class()
    except ValidationError as exc:
        service = settings_class.model_fields["service_name"].default
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            where = ".".join(str(part) for part in error["loc"])
            print(
                f"{service}: configuration refused: {f'{where}: ' if where else ''}{message}",
                file=sys.stderr,
            )
        raise SystemExit(2) from None
