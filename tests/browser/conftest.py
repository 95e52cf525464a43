"""The browser tests' platform (one for the whole run: every walk in the same
platform, as `make run` starts it, on shifted ports with the SMTP sink) and Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from pesnet.devtools.platform import PlatformDidNotStart, running_platform
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN
from tests.browser.test_pages import ADMIN, CHROMIUM, PORT_OFFSET, SCREENSHOTS
from tests.support import vhost_of_its_own


@pytest.fixture(scope="session")
def rabbit_url() -> Iterator[str]:
    """The platform's own vhost (its queues bear the services' names), which the walks
    publish into too."""
    with vhost_of_its_own() as url:
        yield url


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory, rabbit_url: str) -> Iterator[Path]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (.ci/run does)")
    workdir = tmp_path_factory.mktemp("pages")
    env = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URL", "SMTP_HOST")}
    env.update(
        {
            "RABBITMQ_URL": rabbit_url,
            "PESNET_RUN_PORT_OFFSET": str(PORT_OFFSET),
            # the credentials these tests use, whatever the calling environment says (an
            # outside check sets its own development administrator)
            "PESNET_SECRETARIAT_TOKEN": DEV_SECRETARIAT_TOKEN,
            "PESNET_DEV_ADMIN_USERNAME": ADMIN["username"],
            "PESNET_DEV_ADMIN_PASSWORD": ADMIN["password"],
        }
    )
    try:
        with running_platform(workdir, env):
            yield workdir
    except PlatformDidNotStart as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
async def browser(platform: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    executable = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")  # noqa: ASYNC240
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox"],
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    context = await browser.new_context(viewport={"width": 1000, "height": 900})
    # a busy 2-core machine runs the platform beside the browser: be patient with it
    context.set_default_timeout(90_000)
    try:
        yield await context.new_page()
    finally:
        await context.close()
