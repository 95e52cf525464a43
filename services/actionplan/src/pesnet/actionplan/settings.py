"""Settings of the actionplan service (environment variables, see the README)."""

from __future__ import annotations

from pesnet.shared.settings import ServiceSettings
from pydantic import Field


class Settings(ServiceSettings):
    service_name: str = Field(default="actionplan", alias="PESNET_SERVICE")
    http_port: int = Field(default=8003, alias="PESNET_HTTP_PORT")
