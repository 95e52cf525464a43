"""Settings of the agenda service (environment variables, see the README)."""

from __future__ import annotations

from pydantic import Field

from pesnet.shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = Field(default="agenda", alias="PESNET_SERVICE")
    http_port: int = Field(default=8002, alias="PESNET_HTTP_PORT")
