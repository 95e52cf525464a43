"""Settings of the agenda service (environment variables, see the README)."""

from __future__ import annotations

from pydantic import Field, model_validator

from pesnet.shared.settings import ServiceSettings, require_urls


class Settings(ServiceSettings):
    service_name: str = Field(default="agenda", alias="PESNET_SERVICE")
    http_port: int = Field(default=8002, alias="PESNET_HTTP_PORT")

    @model_validator(mode="after")
    def _identity_address(self) -> Settings:
        """Staff sign in on agenda's pages at identity (`PESNET_IDENTITY_URL`)."""
        if not self.dev_mode:
            require_urls({"PESNET_IDENTITY_URL": self.identity_base_url()})
        return self
