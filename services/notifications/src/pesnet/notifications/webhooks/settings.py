"""Webhook delivery settings (environment variables `PESNET_WEBHOOK_*`, see WEBHOOKS.md)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pesnet.notifications.webhooks.domain import RetryPolicy


class WebhookSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PESNET_WEBHOOK_", extra="ignore")

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
    # deliveries one replica sends at the same time
    concurrency: int = Field(default=8, ge=1, le=200)
    # the worker polls this often when no change stream wakes it (and for retries)
    poll_seconds: float = Field(default=1.0, gt=0)

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
