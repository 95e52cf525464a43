"""`GET /metrics` (Prometheus text format) and the count of every HTTP request by
method, route template and status, with its duration.

The middleware is the outermost layer: refusals by the guards (413, 403, 503) are
counted too. The route is the template (`/registrations/{registration_id}`), found the
way the router finds it; a path no route matches is `unmatched`, so that scanners
cannot make a series per path they try."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pesnet.shared.metrics import CONTENT_TYPE, Metrics

UNMATCHED = "unmatched"


class RequestMetrics:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def counting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            method = str(scope.get("method", "GET"))
            route = route_template(scope)
            self.metrics.http_requests.labels(method, route, str(status)).inc()
            self.metrics.http_duration.labels(method, route).observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The template of the route that serves (or would serve) the request."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    app: Any = scope.get("app")
    for candidate in getattr(getattr(app, "router", None), "routes", ()):
        match, _ = candidate.matches(scope)
        if match == Match.FULL:
            return str(getattr(candidate, "path", UNMATCHED))
    return UNMATCHED


metrics_router = APIRouter(tags=["operations"])
# what a reverse proxy (the Ingress controller) adds to every request it forwards
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


@metrics_router.get("/metrics", include_in_schema=True)
async def metrics_endpoint(request: Request) -> Response:
    """The service's metrics in the Prometheus text format (scraped by Prometheus; no
    personal data: labels are routes, statuses, consumers, event types, kinds and
    languages)."""
    if any(header in request.headers for header in PROXY_HEADERS):
        # asked through the Ingress (which routes every path of a service's host):
        # the figures are for the cluster's Prometheus, which scrapes the pod directly
        return Response(status_code=404)
    metrics: Metrics = request.app.state.runtime.metrics
    return Response(await metrics.exposition(), media_type=CONTENT_TYPE)
