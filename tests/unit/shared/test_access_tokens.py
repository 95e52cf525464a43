"""Access tokens verified locally: what passes and what is refused."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

from pesnet.shared.access_tokens import (
    RemoteKeys,
    StaticKeys,
    TokenVerifier,
    TrustedIssuer,
    verifier_from_settings,
)
from pesnet.shared.credentials import SECRETARIAT, ActorKind, StaffRole, resolve_actor
from pesnet.shared.settings import ServiceSettings

ISSUER = "urn:pesnet:identity"
AUDIENCE = "pesnet"


class Key:
    """A freshly generated signing key and its public JWK (no key lives in the repo)."""

    def __init__(self, kid: str, *, ec_p256: bool = False) -> None:
        self.kid = kid
        if ec_p256:
            self.private: Any = ec.generate_private_key(ec.SECP256R1())
            self.algorithm = "ES256"
            jwk = ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            self.private = ed25519.Ed25519PrivateKey.generate()
            self.algorithm = "EdDSA"
            jwk = OKPAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwk = {**jwk, "kid": kid, "use": "sig"}

    def sign(self, **overrides: Any) -> str:
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "acc_1",
            "preferred_username": "amina",
            "roles": ["accreditation_officer"],
            "iat": now,
            "exp": now + timedelta(minutes=15),
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.private, algorithm=self.algorithm, headers={"kid": self.kid})


def jwks(*keys: Key) -> dict[str, Any]:
    return {"keys": [k.jwk for k in keys]}


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def key() -> Key:
    return Key("k1")


@pytest.fixture
def verifier(key: Key) -> TokenVerifier:
    return TokenVerifier([TrustedIssuer(ISSUER, AUDIENCE, StaticKeys(jwks(key)))])


async def test_a_good_token_is_an_actor_with_its_roles(key: Key, verifier: TokenVerifier) -> None:
    actor = await verifier.actor_for(key.sign())
    assert actor is not None
    assert actor.account_id == "acc_1"
    assert actor.username == "amina"
    assert actor.roles == frozenset({StaffRole.accreditation_officer})
    assert actor.kind is ActorKind.staff
    assert actor.has(StaffRole.accreditation_officer, StaffRole.programme_editor)
    assert not actor.has(StaffRole.programme_editor)
    assert not actor.is_secretariat


async def test_an_ecdsa_p256_token_is_accepted_too() -> None:
    key = Key("ec", ec_p256=True)
    verifier = TokenVerifier([TrustedIssuer(ISSUER, AUDIENCE, StaticKeys(jwks(key)))])
    assert await verifier.actor_for(key.sign()) is not None


async def test_an_administrator_is_the_secretariat_and_has_every_right(
    key: Key, verifier: TokenVerifier
) -> None:
    actor = await verifier.actor_for(key.sign(roles=["administrator"]))
    assert actor is not None
    assert actor.is_secretariat
    assert actor.has(StaffRole.check_in_clerk)
    assert SECRETARIAT.has(StaffRole.partners_administrator)


async def test_unknown_role_names_are_ignored(key: Key, verifier: TokenVerifier) -> None:
    actor = await verifier.actor_for(key.sign(roles=["superuser", "programme_editor"]))
    assert actor is not None
    assert actor.roles == frozenset({StaffRole.programme_editor})


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": datetime.now(UTC) - timedelta(minutes=5)},
        {"iss": "https://evil.example"},
        {"aud": "someone-else"},
        {"exp": None},
        {"sub": None},
    ],
    ids=["expired", "other-issuer", "other-audience", "no-expiry", "no-subject"],
)
async def test_bad_claims_are_refused(
    key: Key, verifier: TokenVerifier, overrides: dict[str, Any]
) -> None:
    assert await verifier.actor_for(key.sign(**overrides)) is None


async def test_a_token_signed_by_another_key_with_a_known_kid_is_refused(
    verifier: TokenVerifier,
) -> None:
    impostor = Key("k1")
    assert await verifier.actor_for(impostor.sign()) is None


async def test_an_hs256_forgery_is_refused(key: Key, verifier: TokenVerifier) -> None:
    # the classic: an HMAC signature keyed with the published public key
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "acc_1",
        "roles": ["administrator"],
        "exp": int(time.time()) + 300,
    }
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT', 'kid': 'k1'})}.{b64(claims)}"
    secret = json.dumps(key.jwk).encode()
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert await verifier.actor_for(forged) is None


async def test_alg_none_is_refused(verifier: TokenVerifier) -> None:
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "acc_1",
        "roles": ["administrator"],
        "exp": int(time.time()) + 300,
    }
    unsigned = f"{b64({'alg': 'none', 'kid': 'k1'})}.{b64(claims)}."
    assert await verifier.actor_for(unsigned) is None


async def test_a_token_without_a_kid_is_refused(key: Key, verifier: TokenVerifier) -> None:
    token = jwt.encode(
        {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "x",
            "exp": datetime.now(UTC) + timedelta(minutes=1),
        },
        key.private,
        algorithm="EdDSA",
    )
    assert await verifier.actor_for(token) is None


async def test_garbage_is_refused(verifier: TokenVerifier) -> None:
    assert await verifier.actor_for("eyJhbGciOi.not.jwt") is None


class JwksServer:
    """A JWKS endpoint on localhost whose keys the test changes."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                body = json.dumps(outer.document).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer()
    try:
        yield server
    finally:
        server.close()


async def test_keys_are_fetched_once_and_an_unknown_kid_refetches_after_rotation(
    jwks_server: JwksServer,
) -> None:
    old, new = Key("old"), Key("new")
    jwks_server.document = jwks(old)
    keys = RemoteKeys(jwks_server.url, refetch_seconds=0.3)
    verifier = TokenVerifier([TrustedIssuer(ISSUER, AUDIENCE, keys)])
    assert await verifier.actor_for(old.sign()) is not None
    assert await verifier.actor_for(old.sign()) is not None
    assert jwks_server.hits == 1  # cached: no call per request

    jwks_server.document = jwks(old, new)  # the issuer rotated: the new key signs
    await asyncio.sleep(0.35)
    assert await verifier.actor_for(new.sign()) is not None
    assert jwks_server.hits == 2


async def test_unknown_kids_refetch_at_most_once_per_interval(jwks_server: JwksServer) -> None:
    known = Key("known")
    jwks_server.document = jwks(known)
    verifier = TokenVerifier(
        [TrustedIssuer(ISSUER, AUDIENCE, RemoteKeys(jwks_server.url, refetch_seconds=60))]
    )
    assert await verifier.actor_for(known.sign()) is not None
    for i in range(5):
        assert await verifier.actor_for(Key(f"forged-{i}").sign()) is None
    assert jwks_server.hits == 1


async def test_an_external_oidc_provider_is_trusted_beside_identity(
    jwks_server: JwksServer, key: Key
) -> None:
    sso = Key("sso-key")
    jwks_server.document = jwks(sso)
    settings = ServiceSettings.model_validate(
        {
            "PESNET_ENV": "test",
            "PESNET_JWKS": json.dumps(jwks(key)),
            "PESNET_OIDC_ISSUER": "https://sso.example.org/realms/oic",
            "PESNET_OIDC_JWKS_URL": jwks_server.url,
            "PESNET_OIDC_AUDIENCE": "pesnet-platform",
            "PESNET_OIDC_ROLES_CLAIM": "realm_access.roles",
        }
    )
    verifier = verifier_from_settings(settings)
    assert verifier is not None
    token = sso.sign(
        iss="https://sso.example.org/realms/oic",
        aud="pesnet-platform",
        sub="f3b2-sso-user",
        roles=None,
        realm_access={"roles": ["programme_editor", "offline_access"]},
    )
    actor = await verifier.actor_for(token)
    assert actor is not None
    # the provider's subject, qualified by its issuer
    assert actor.account_id == "https://sso.example.org/realms/oic#f3b2-sso-user"
    assert actor.username == "amina"  # its preferred_username
    assert actor.roles == frozenset({StaffRole.programme_editor})
    assert await verifier.actor_for(key.sign()) is not None  # identity's own still pass
    # the provider's key does not make its tokens valid for identity's issuer
    assert await verifier.actor_for(sso.sign()) is None
    # and a user of the provider who picks an identity account's id is not that account
    posing = await verifier.actor_for(
        sso.sign(iss="https://sso.example.org/realms/oic", aud="pesnet-platform", sub="acc_1")
    )
    assert posing is not None
    assert posing.account_id != "acc_1"
    assert posing.account_id == "https://sso.example.org/realms/oic#acc_1"


async def test_a_token_that_lives_too_long_or_comes_from_the_future_is_refused(
    key: Key, verifier: TokenVerifier
) -> None:
    now = datetime.now(UTC)
    for claims in (
        {"iat": now, "exp": now + timedelta(seconds=10**9)},
        {"iat": now, "exp": now + timedelta(days=1, seconds=1)},
        {"iat": now + timedelta(hours=1), "exp": now + timedelta(hours=1, minutes=15)},
        {"iat": None},  # no issue time, no lifetime to judge
    ):
        assert await verifier.actor_for(key.sign(**claims)) is None, claims
    assert await verifier.actor_for(key.sign(exp=now + timedelta(hours=24))) is not None


async def test_no_trusted_issuer_means_no_verifier() -> None:
    settings = ServiceSettings.model_validate({"PESNET_ENV": "test"})
    assert verifier_from_settings(settings) is None


async def test_resolve_actor_keeps_the_secretariat_token_and_verifies_access_tokens(
    key: Key, verifier: TokenVerifier
) -> None:
    from pydantic import SecretStr

    secret = SecretStr("shared-secret")
    assert await resolve_actor("shared-secret", secretariat_token=secret, store=None) is SECRETARIAT
    token = key.sign()
    assert await resolve_actor(token, secretariat_token=secret, store=None) is None
    actor = await resolve_actor(token, secretariat_token=secret, store=None, verifier=verifier)
    assert actor is not None
    assert actor.account_id == "acc_1"


def test_the_secretariat_token_can_be_switched_off() -> None:
    on = ServiceSettings.model_validate({"PESNET_ENV": "test"})
    assert on.secretariat_token is not None
    off = ServiceSettings.model_validate(
        {"PESNET_ENV": "test", "PESNET_SECRETARIAT_TOKEN_ENABLED": "false"}
    )
    assert off.secretariat_token is None
    production = ServiceSettings.model_validate(
        {
            "PESNET_ENV": "production",
            "RABBITMQ_URL": "amqp://u:p@broker/",
            "MONGODB_URL": "mongodb://db/",
            "PESNET_JWKS_URL": "http://identity:8005/.well-known/jwks.json",
            "PESNET_SECRETARIAT_TOKEN_ENABLED": "false",
        }
    )
    assert production.secretariat_token is None
