"""Every change the API makes shows in the audit trail: the walk every service's test
takes. A service's test lists one `Step` per state-changing route (a request that
succeeds, and the action its audit entry must have) and the routes that change
nothing of that service's state, with the reason (`unchanging`). `walk` enumerates the
app's routes: a state-changing route that is neither walked nor explained fails the
test, so a new route cannot go unrecorded; then it takes the steps in order and, after
each, looks for the new entries of `GET /audit`."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from tests.integration.roles import Route, routes_of

CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
State = dict[str, Any]


@dataclass(frozen=True)
class Step:
    route: Route
    call: Callable[[httpx.AsyncClient, State], Awaitable[httpx.Response]]
    # the audit action the change must leave (the event type without the service)
    action: str


def changing_routes(app: FastAPI) -> set[Route]:
    return {route for route in routes_of(app) if route[0] in CHANGING}


async def trail(http: httpx.AsyncClient, admin: Mapping[str, str]) -> list[str]:
    response = await http.get("/audit", params={"limit": 1000}, headers=dict(admin))
    assert response.status_code == 200, response.text
    return [json.dumps(entry, sort_keys=True) for entry in response.json()]


async def walk(
    http: httpx.AsyncClient,
    app: FastAPI,
    steps: list[Step],
    unchanging: Mapping[Route, str],
    *,
    admin: Mapping[str, str],
    state: State | None = None,
) -> None:
    walked = {step.route for step in steps}
    missing = changing_routes(app) - walked - set(unchanging)
    assert not missing, f"state-changing routes the audit walk does not take: {sorted(missing)}"
    unknown = (walked | set(unchanging)) - changing_routes(app)
    assert not unknown, f"steps for routes the app does not serve: {sorted(unknown)}"
    state = state if state is not None else {}
    for step in steps:
        before = set(await trail(http, admin))
        response = await step.call(http, state)
        assert response.status_code < 400, (step.route, response.status_code, response.text)
        new = [json.loads(e) for e in await trail(http, admin) if e not in before]
        actions = [entry["action"] for entry in new]
        assert step.action in actions, (step.route, step.action, actions)


def csrf_of(page: str) -> str:
    """The CSRF token a page's forms carry (the cookie came with the page)."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, page[:300]
    return found.group(1)
