"""Who may call what, tested the same way in every service: access tokens minted with a
test key (the service trusts its JWKS through `PESNET_JWKS`), and the matrix of every
route of an app × every staff role.

A service's test gives a decision for each of its routes: `PUBLIC` (no right needed, or
the caller's own link token), or the staff roles that may call it (the administrator
always may). `check_matrix` fails for a route without a decision (a new route must say
who may call it) and for a decision without a route; for every other route it asserts 401
without a token, 403 for each role that may not, and neither 401 nor 403 (nor a 5xx) for
each role that may. Path parameters are dummies (`x0`) and bodies are empty: a refused
caller is refused before anything is read or validated, an allowed one gets as far as
404 or 422."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from jwt.algorithms import OKPAlgorithm

from pesnet.shared.credentials import StaffRole

ISSUER = "urn:pesnet:identity"
AUDIENCE = "pesnet"
KID = "roles-test-key"
KEY = ed25519.Ed25519PrivateKey.generate()
JWKS = {"keys": [{**OKPAlgorithm.to_jwk(KEY.public_key(), as_dict=True), "kid": KID}]}
# what a service under test is given to trust the test key
TRUST = {"PESNET_JWKS": json.dumps(JWKS)}
# a key and issuer the services do not trust
OTHER_KEY = ed25519.Ed25519PrivateKey.generate()

# the scope of a national focal point's account in the matrix
FOCAL_POINT_SCOPE: dict[str, Any] = {"country": "MAR", "institution": "anapec"}


def token(
    *roles: StaffRole | str,
    sub: str = "acc_tester",
    # long enough for a module's tokens, minted at collection, to outlive a slow full run
    # (on a busy 2-core machine the browser walks alone take over 15 minutes)
    expires_in: timedelta = timedelta(hours=6),
    key: ed25519.Ed25519PrivateKey = KEY,
    issuer: str = ISSUER,
    **claims: Any,
) -> str:
    """An access token as the identity service signs it."""
    now = datetime.now(UTC)
    body = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": sub,
        "preferred_username": sub.removeprefix("acc_"),
        "roles": [str(role) for role in roles],
        "iat": now,
        "nbf": now - timedelta(minutes=1),
        "exp": now + expires_in,
        **claims,
    }
    return jwt.encode(body, key, algorithm="EdDSA", headers={"kid": KID})


def role_token(role: StaffRole) -> str:
    """An account holding just `role` (a focal point: of Morocco's ANAPEC)."""
    scope: dict[str, Any] = FOCAL_POINT_SCOPE if role is StaffRole.focal_point else {}
    return token(role, sub=f"acc_{role.value}", **scope)


def expired_token(*roles: StaffRole) -> str:
    return token(*roles, expires_in=timedelta(minutes=-5))


def other_issuers_token(*roles: StaffRole) -> str:
    """Signed by a key this platform does not know, for an issuer it does not trust."""
    return token(*roles, key=OTHER_KEY, issuer="https://idp.example.org")


def forged_hs256_token(*roles: StaffRole) -> str:
    """An HMAC token anyone could make: never accepted."""
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "acc_forger", "roles": [*roles]}
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT","kid":"' + KID.encode() + b'"}')
    body = base64.urlsafe_b64encode(json.dumps(claims, default=str).encode())
    return f"{header.rstrip(b'=').decode()}.{body.rstrip(b'=').decode()}.c2ln"


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


PUBLIC: Literal["public"] = "public"
Decision = frozenset[StaffRole] | Literal["public"]
Route = tuple[str, str]


def allowed(*roles: StaffRole) -> frozenset[StaffRole]:
    return frozenset({StaffRole.administrator, *roles})


# served by every app, open to all: the offline API documentation
DOCUMENTATION = {("GET", "/docs"), ("GET", "/redoc")}


def routes_of(app: FastAPI) -> set[Route]:
    """Every (method, path) the app serves (its API routes, whichever router), but its
    documentation pages."""
    found: set[Route] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path is not None:
            methods = route.methods or set()
            found.update((method, context.path) for method in methods if method != "HEAD")
    return found - DOCUMENTATION


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x0", path)


async def check_matrix(
    http: httpx.AsyncClient, app: FastAPI, decisions: Mapping[Route, Decision]
) -> None:
    served = routes_of(app)
    undecided = sorted(served - set(decisions))
    assert not undecided, f"routes without a decision on who may call them: {undecided}"
    stale = sorted(set(decisions) - served)
    assert not stale, f"decisions for routes the app does not serve: {stale}"
    tokens = {role: bearer(role_token(role)) for role in StaffRole}
    for (method, path), decision in sorted(decisions.items()):
        if decision == PUBLIC:
            continue
        url = _url(path)
        anonymous = await http.request(method, url)
        assert anonymous.status_code == 401, (method, path, anonymous.text)
        for role, headers in tokens.items():
            answer = await http.request(method, url, headers=headers)
            if role in decision or role is StaffRole.administrator:
                assert answer.status_code not in (401, 403), (method, path, role, answer.text)
                assert answer.status_code < 500, (method, path, role, answer.text)
            else:
                assert answer.status_code == 403, (method, path, role, answer.text)


async def check_bad_tokens_refused(http: httpx.AsyncClient, method: str, path: str) -> None:
    """An expired token, another issuer's and an HS256 forgery are 401, even with the
    administrator's role."""
    for bad in (
        expired_token(StaffRole.administrator),
        other_issuers_token(StaffRole.administrator),
        forged_hs256_token(StaffRole.administrator),
    ):
        answer = await http.request(method, _url(path), headers=bearer(bad))
        assert answer.status_code == 401, (method, path, answer.text)
