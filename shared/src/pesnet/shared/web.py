"""What every service's pages share: offline API docs (`/docs`, Swagger UI with its
assets served by the service itself, never from a CDN, and no inline script or style,
which the Content-Security-Policy refuses: it starts from `swagger-init.js`; `/redoc`
leads there, since ReDoc cannot draw without inline styles),
one base template and one stylesheet (`/static/pesnet/pesnet.css`), and rendering a
page in the person's language (`?lang=`, then `Accept-Language`), right-to-left for
Arabic."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape

from pesnet.shared.i18n import LANGUAGES, direction
from pesnet.shared.problems import request_language
from pesnet.shared.terms import LANGUAGE_NAMES, NETWORK_NAME
from pesnet.shared.translation import ngettext, translate

DOCS_ASSETS = "/static/docs"
KERNEL_ASSETS = "/static/pesnet"


def _package_dir(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


def install_docs_and_assets(app: FastAPI) -> None:
    """`/docs` from local assets (`/redoc` redirects to it), and the kernel's stylesheet."""
    app.mount(
        DOCS_ASSETS,
        StaticFiles(directory=_package_dir("fastapi_offline", "static")),
        name="docs-assets",
    )
    app.mount(
        KERNEL_ASSETS,
        StaticFiles(directory=_package_dir("pesnet.shared", "static")),
        name="kernel-assets",
    )
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    async def swagger() -> HTMLResponse:
        return HTMLResponse(_docs_page(app))

    @router.get("/redoc")
    async def redoc() -> RedirectResponse:
        # ReDoc's renderer (styled-components) writes inline styles, which the pages'
        # Content-Security-Policy refuses (its page stayed blank): the docs are /docs
        return RedirectResponse("/docs", status_code=308)

    app.include_router(router)


def serve_static(app: FastAPI, package: str, url_path: str) -> None:
    """Serve `package`'s `static/` directory at `url_path` (a page's styles and scripts:
    files, never inline, for the Content-Security-Policy)."""
    app.mount(
        url_path,
        StaticFiles(directory=_package_dir(package, "static")),
        name=f"{package}-assets",
    )


def _docs_page(app: FastAPI) -> str:
    openapi = escape(app.openapi_url or "/openapi.json")
    title = escape(f"{app.title} — API")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="{DOCS_ASSETS}/favicon.png">'
        f'<link rel="stylesheet" href="{DOCS_ASSETS}/swagger-ui.css"><title>{title}</title>'
        f'</head><body><div id="swagger-ui" data-openapi-url="{openapi}"></div>'
        f'<script src="{DOCS_ASSETS}/swagger-ui-bundle.js"></script>'
        f'<script src="{KERNEL_ASSETS}/swagger-init.js"></script></body></html>'
    )


class Pages:
    """A service's page templates on top of the kernel's `base.html`. Templates write
    their own words as `{{ _("Register") }}` (extracted by `make translations`) and
    data in three languages as `{{ text(localized) }}`."""

    def __init__(self, package: str) -> None:
        loaders: list[Any] = []
        templates = _package_dir(package, "templates")
        if templates.is_dir():
            loaders.append(FileSystemLoader(templates))
        loaders.append(PackageLoader("pesnet.shared", "templates"))
        self.package = package
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(["html", "j2"]),
            enable_async=False,
        )

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        language = request_language(request)
        packages = (self.package,)

        def gettext(message: str, **params: Any) -> str:
            return translate(message, language, params, packages=packages)

        def plural(singular: str, plural: str, n: int, **params: Any) -> str:
            return ngettext(singular, plural, n, language, params, packages=packages)

        html = self.env.get_template(name).render(
            {
                "lang": language.value,
                "dir": direction(language),
                "languages": [(code, LANGUAGE_NAMES[code].get(code)) for code in LANGUAGES],
                "_": gettext,
                # the network's name (the kernel's term): the header, the footer, a page's
                "network": NETWORK_NAME.get(language),
                "ngettext": plural,
                "text": lambda localized: localized.get(language) if localized else "",
                "path": request.url.path,
                # the same page in another language (keeping the rest of its query)
                "lang_href": lambda code: "?" + urlencode({**request.query_params, "lang": code}),
                "assets": KERNEL_ASSETS,
                **(context or {}),
            }
        )
        return HTMLResponse(
            html,
            status_code=status_code,
            headers={"content-language": language.value, **(headers or {})},
        )


__all__ = ["KERNEL_ASSETS", "Pages", "install_docs_and_assets", "serve_static"]
