"""Webhook delivery settings (environment variables `PESNET_WEBHOOK_*`, see WEBHOOKS.md)."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pesnet.notifications.domain.webhooks import RetryPolicy

# The development key: derived from a fixed, public phrase, so it protects nothing. It is
# used only in dev/test mode when no key is configured (WebhookSettings refuses to build a
# sealer without PESNET_WEBHOOK_SECRET_KEYS outside dev/test mode): never in production.
DEV_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"pesnet webhook secrets: development key, never production").digest()
).decode()


def parse_keys(value: str) -> list[str]:
    """The Fernet keys of a comma-separated list; ValueError naming the bad one."""
    keys = [k.strip() for k in value.split(",") if k.strip()]
    if not keys:
        raise ValueError("no key given")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ValueError(
                f"key {position} is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from None
    return keys


class MissingSecretKeys(RuntimeError):
    """Outside dev/test mode the webhook secrets' encryption keys must be configured."""


class WebhookSettings(BaseSettings):
    # hide_input_in_errors: a malformed key is still a key, and errors end up in logs
    model_config = SettingsConfigDict(
        env_prefix="PESNET_WEBHOOK_", extra="ignore", hide_input_in_errors=True
    )

    # one attempt: connect + send + read the answer
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    max_attempts: int = Field(default=10, ge=1, le=100)
    initial_backoff_seconds: float = Field(default=10.0, gt=0)
    max_backoff_seconds: float = Field(default=3600.0, gt=0)
    # a delivery is given up once its next attempt would fall after this age
    max_age_seconds: float = Field(default=24 * 3600.0, gt=0)
    max_retry_after_seconds: float = Field(default=3600.0, ge=0)
    # a subscription is disabled after this many deliveries in a row failed for good (0: never)
    disable_after_failures: int = Field(default=5, ge=0)
    # how long a signature with the previous secret is still sent after a rotation
    rotation_grace_seconds: float = Field(default=24 * 3600.0, ge=0)
    # endpoints on the loopback interface (and http to them): for the test suite's local
    # partner only, honoured in test mode (PESNET_ENV=test) and ignored in any other
    allow_loopback: bool = False
    # deliveries one replica sends at the same time
    concurrency: int = Field(default=8, ge=1, le=200)
    # the worker polls this often when no change stream wakes it (and for retries)
    poll_seconds: float = Field(default=1.0, gt=0)
    # the keys that encrypt the signing secrets at rest (sealing.py): comma-separated
    # Fernet keys, the first seals, all unseal; required outside dev/test mode
    secret_keys: SecretStr | None = None

    @field_validator("secret_keys")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                parse_keys(value.get_secret_value())
            except ValueError as exc:
                raise ValueError(f"PESNET_WEBHOOK_SECRET_KEYS: {exc}") from None
        return value

    def sealing_keys(self, *, dev_mode: bool) -> list[str]:
        """The configured keys; in dev/test mode without keys, the public development
        key (DEV_KEY). Outside dev/test mode the keys are required: the service refuses
        to start without them."""
        if self.secret_keys is not None:
            return parse_keys(self.secret_keys.get_secret_value())
        if dev_mode:
            return [DEV_KEY]
        raise MissingSecretKeys(
            "outside dev mode PESNET_WEBHOOK_SECRET_KEYS must be set: comma-separated Fernet "
            "keys that encrypt the partner webhook secrets at rest (generate one with "
            '`python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"`), or set PESNET_ENV=dev for local '
            "development"
        )

    @property
    def lease_seconds(self) -> float:
        """A replica holds a delivery while sending it: longer than one attempt can take,
        so that no other replica sends it at the same time; after a crash it is free again."""
        return self.timeout_seconds + 30.0

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.max_attempts,
            initial_backoff=timedelta(seconds=self.initial_backoff_seconds),
            max_backoff=timedelta(seconds=self.max_backoff_seconds),
            max_age=timedelta(seconds=self.max_age_seconds),
            max_retry_after=timedelta(seconds=self.max_retry_after_seconds),
        )
