"""`python -m pesnet.notifications`: run the service with uvicorn."""

from __future__ import annotations

import uvicorn

from pesnet.notifications.bootstrap import build_app
from pesnet.notifications.settings import Settings
from pesnet.shared.logging import configure_logging


def main() -> None:
    settings = Settings()
    configure_logging(settings.service_name, settings.log_level)
    uvicorn.run(
        build_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
