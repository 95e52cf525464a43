"""Wires the identity service: runtime (database, broker, outbox), its indexes, the
signing keys, the unit of work and the HTTP app. The only module that knows the
adapters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI

from pesnet.identity.adapters.keys import KeyRing
from pesnet.identity.adapters.passwords import Argon2Passwords
from pesnet.identity.adapters.repository import INDEXES
from pesnet.identity.adapters.unit_of_work import MongoIdentityUnitOfWork
from pesnet.identity.domain.model import LockoutPolicy
from pesnet.identity.entrypoints import http, messaging
from pesnet.identity.service_layer.accounts import ensure_dev_administrator
from pesnet.identity.service_layer.commands import EnsureDevAdministrator
from pesnet.identity.settings import Settings
from pesnet.shared.access_tokens import TokenVerifier, TrustedIssuer, verifier_from_settings
from pesnet.shared.http import create_app
from pesnet.shared.logging import get_logger
from pesnet.shared.runtime import ServiceRuntime

log = get_logger(__name__)


def key_ring(settings: Settings) -> KeyRing:
    return KeyRing(
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        lifetime=timedelta(seconds=settings.access_token_seconds),
    )


def unit_of_work_factory(
    runtime: ServiceRuntime, settings: Settings, keys: KeyRing
) -> Callable[[], MongoIdentityUnitOfWork]:
    passwords = Argon2Passwords()
    lockout = LockoutPolicy(settings.lockout_failures, timedelta(minutes=settings.lockout_minutes))

    def build() -> MongoIdentityUnitOfWork:
        return MongoIdentityUnitOfWork(
            runtime.client,
            runtime.db,
            runtime.outbox,
            passwords=passwords,
            signer=keys,
            lockout=lockout,
            api_token_max_days=settings.api_token_max_days,
        )

    return build


def token_verifier(settings: Settings, keys: KeyRing) -> TokenVerifier:
    """Identity's own tokens against its key ring (no fetch), and any other issuer
    the settings trust (an organisation's OpenID Connect provider)."""
    own = TrustedIssuer(settings.token_issuer, settings.token_audience, keys)
    others = verifier_from_settings(settings)
    return TokenVerifier(
        [own, *(i for i in (others.issuers if others else []) if i.issuer != own.issuer)]
    )


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, indexes=INDEXES)
    keys = key_ring(settings)
    unit_of_work = unit_of_work_factory(runtime, settings, keys)
    runtime.use_unit_of_work(unit_of_work)
    runtime.consumer.subscribe(messaging.subscriptions())

    async def load_keys() -> None:
        secret = settings.signing_keys.get_secret_value() if settings.signing_keys else None
        await keys.load(runtime.db, secret, dev_mode=settings.dev_mode)
        log.info("signing keys loaded", kids=[k.kid for k in keys.signing_keys])

    async def dev_administrator() -> None:
        if not settings.dev_mode or not settings.dev_admin_username:
            return
        if settings.dev_admin_password is None:
            return
        command = EnsureDevAdministrator(
            settings.dev_admin_username, settings.dev_admin_password.get_secret_value()
        )
        account = await ensure_dev_administrator(command, unit_of_work())
        log.info("development administrator ready", account_id=account.id)

    runtime.on_start.extend([load_keys, dev_administrator])
    app = create_app(
        runtime,
        package="pesnet.identity",
        title="OIC-PESNET identity",
        description="Accounts, roles, sign-in, access tokens and their signing keys.",
        routers=http.routers,
        token_verifier=token_verifier(settings, keys),
    )
    app.state.unit_of_work = unit_of_work
    app.state.public_keys = keys
    app.state.sign_ins = runtime.metrics.counter(
        "sign_ins",
        "Sign-ins by method (password, api_token) and outcome (accepted, refused, locked)",
        ["method", "outcome"],
    )
    return app


async def create_first_administrator(settings: Settings, username: str, password: str) -> str:
    """The CLI's `create-admin`: straight to the database (the event waits in the
    outbox for the service's relay)."""
    from pesnet.identity.service_layer.accounts import create_first_administrator as create
    from pesnet.identity.service_layer.commands import CreateFirstAdministrator
    from pesnet.shared.mongo import ensure_indexes

    runtime = ServiceRuntime(settings, indexes=INDEXES)
    try:
        await ensure_indexes(runtime.db, runtime.indexes)
        uow = unit_of_work_factory(runtime, settings, key_ring(settings))()
        account = await create(CreateFirstAdministrator(username, password), uow)
        return account.id
    finally:
        await runtime.client.close()
