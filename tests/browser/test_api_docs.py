"""The API docs draw in a real browser under the services' Content-Security-Policy
(no inline script or style): Swagger UI starts from a file; `/redoc` leads there."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from typing import Any

import pytest
import uvicorn
from fastapi import APIRouter

from pesnet.devtools.ports import free_port
from pesnet.shared.http import create_app
from pesnet.shared.runtime import ServiceRuntime
from pesnet.shared.settings import ServiceSettings
from tests.support import eventually

pytestmark = pytest.mark.integration

CHROMIUM = os.environ.get("PESNET_CHROMIUM", "/usr/bin/chromium")


async def test_the_api_docs_draw_without_breaking_the_policy(
    make_settings: Callable[..., ServiceSettings],
) -> None:
    executable = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")  # noqa: ASYNC240
    if not executable:
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (.ci/run does)")
    from playwright.async_api import async_playwright

    router = APIRouter()

    @router.get("/meetings/{meeting_id}/ping")
    async def ping(meeting_id: str) -> dict[str, str]:
        return {"meeting": meeting_id}

    app = create_app(ServiceRuntime(make_settings("docs")), title="docs", routers=[router])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    serving = asyncio.create_task(server.serve())
    refused: list[str] = []
    try:

        async def started() -> bool:
            return server.started

        await eventually(started, within=60)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=executable, args=["--no-sandbox"]
            )
            try:
                page: Any = await browser.new_page()
                page.on(
                    "console",
                    lambda m: refused.append(m.text) if "Content Security" in m.text else None,
                )
                for path in ("/docs", "/redoc"):
                    await page.goto(f"http://127.0.0.1:{port}{path}")
                    await page.get_by_text("/meetings/{meeting_id}/ping").wait_for()
                    assert page.url.endswith("/docs")
            finally:
                await browser.close()
    finally:
        server.should_exit = True
        await serving
    assert refused == []
