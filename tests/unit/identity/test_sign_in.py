"""Signing in, the lockout, API tokens and the access tokens they give."""

from __future__ import annotations

import jwt
import pytest

from pesnet.identity.domain.model import InvalidCredentials, SignInLocked
from pesnet.identity.service_layer import accounts, authentication
from pesnet.identity.service_layer.commands import (
    CreateAccount,
    DisableAccount,
    ExchangeApiToken,
    IssueApiToken,
    RevokeApiToken,
    SignIn,
    UnlockAccount,
)
from pesnet.shared.access_tokens import TokenVerifier, TrustedIssuer
from pesnet.shared.credentials import ANONYMOUS, ActorKind, StaffRole
from pesnet.shared.errors import InvalidInput
from pesnet.shared.events.identity import AccountLocked, ApiTokenIssued, ApiTokenRevoked
from tests.unit.identity.fakes import ADMIN, AUDIENCE, ISSUER, FakeIdentityUnitOfWork

PASSWORD = "correct horse battery"


async def focal_point(uow: FakeIdentityUnitOfWork) -> str:
    account = await accounts.create_account(
        CreateAccount("nfp.mar", PASSWORD, frozenset({StaffRole.focal_point}), "MAR", "ANAPEC"),
        uow,
    )
    return account.id


async def test_signing_in_gives_a_signed_token_with_the_accounts_roles_and_country() -> None:
    uow = FakeIdentityUnitOfWork()
    account_id = await focal_point(uow)
    issued = await authentication.sign_in(SignIn("NFP.MAR", PASSWORD), uow)
    assert issued.expires_in == 900
    header = jwt.get_unverified_header(issued.access_token)
    assert header["alg"] == "EdDSA"
    assert header["kid"] == uow.keys.signing_keys[-1].kid
    verifier = TokenVerifier([TrustedIssuer(ISSUER, AUDIENCE, uow.keys)])
    claims = await verifier.verify(issued.access_token)
    assert claims is not None
    assert claims["sub"] == account_id
    assert claims["preferred_username"] == "nfp.mar"
    assert claims["roles"] == ["focal_point"]
    assert claims["country"] == "MAR"
    assert claims["exp"] - claims["iat"] == 900
    actor = await verifier.actor_for(issued.access_token)
    assert actor is not None
    assert actor.kind is ActorKind.focal_point
    assert actor.country == "MAR"
    assert actor.institution == "ANAPEC"
    assert actor.has(StaffRole.focal_point)
    assert not actor.has(StaffRole.programme_editor)
    assert uow.accounts.items[account_id].last_sign_in_at == uow.clock


@pytest.mark.parametrize("username", ["nfp.mar", "nobody.here"])
async def test_wrong_credentials_say_the_same_for_known_and_unknown_usernames(
    username: str,
) -> None:
    uow = FakeIdentityUnitOfWork()
    await focal_point(uow)
    uow.actor = ANONYMOUS  # as over HTTP, where no one is signed in yet
    with pytest.raises(InvalidCredentials) as error:
        await authentication.sign_in(SignIn(username, "wrong password!"), uow)
    assert error.value.message == "wrong username or password, or an unusable token"
    entry = uow.audited[-1]  # after the account's creation
    assert entry.action == "sign_in.failed"
    assert entry.actor == "anonymous"
    assert "wrong password!" not in repr(entry)


@pytest.mark.parametrize("username", ["nfp.mar", "nobody.here"])
async def test_five_failures_lock_a_username_for_fifteen_minutes(username: str) -> None:
    uow = FakeIdentityUnitOfWork()
    account_id = await focal_point(uow)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await authentication.sign_in(SignIn(username, "wrong password!"), uow)
    with pytest.raises(SignInLocked) as locked:
        # even the right password waits: the lock is not a hint
        await authentication.sign_in(SignIn(username, PASSWORD), uow)
    assert locked.value.retry_after_seconds == 15 * 60
    assert "try again in 15 minutes" in locked.value.text
    if username == "nfp.mar":
        [event] = uow.events(AccountLocked)
        assert isinstance(event, AccountLocked)
        assert event.account_id == account_id
        assert event.failures == 5
    else:
        assert uow.events(AccountLocked) == []
    uow.later(minutes=15, seconds=1)
    if username == "nfp.mar":
        assert (await authentication.sign_in(SignIn(username, PASSWORD), uow)).access_token


async def test_an_administrator_unlocks_a_locked_account() -> None:
    uow = FakeIdentityUnitOfWork()
    account_id = await focal_point(uow)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await authentication.sign_in(SignIn("nfp.mar", "wrong password!"), uow)
    await accounts.unlock_account(UnlockAccount(account_id), uow)
    assert (await authentication.sign_in(SignIn("nfp.mar", PASSWORD), uow)).access_token


async def test_a_success_resets_the_failure_count() -> None:
    uow = FakeIdentityUnitOfWork()
    await focal_point(uow)
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            await authentication.sign_in(SignIn("nfp.mar", "wrong password!"), uow)
    await authentication.sign_in(SignIn("nfp.mar", PASSWORD), uow)
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            await authentication.sign_in(SignIn("nfp.mar", "wrong password!"), uow)
    assert (await authentication.sign_in(SignIn("nfp.mar", PASSWORD), uow)).access_token


async def test_a_disabled_account_cannot_sign_in() -> None:
    uow = FakeIdentityUnitOfWork()
    await accounts.create_account(CreateAccount("root", PASSWORD, ADMIN), uow)
    account_id = await focal_point(uow)
    await accounts.disable_account(DisableAccount(account_id), uow)
    with pytest.raises(InvalidCredentials):
        await authentication.sign_in(SignIn("nfp.mar", PASSWORD), uow)


async def test_an_api_token_is_stored_as_a_digest_exchanged_and_revoked() -> None:
    uow = FakeIdentityUnitOfWork()
    account_id = await focal_point(uow)
    record, secret = await authentication.issue_api_token(
        IssueApiToken(account_id, "reporting script", days=30), uow
    )
    assert secret.startswith("pat_")
    stored = uow.api_tokens.items[record.id]
    assert secret not in repr(stored)
    [issued] = uow.events(ApiTokenIssued)
    assert secret not in issued.model_dump_json()
    assert stored.token_hash not in issued.model_dump_json()

    exchanged = await authentication.exchange_api_token(ExchangeApiToken(secret), uow)
    assert exchanged.account.id == account_id
    assert uow.api_tokens.items[record.id].last_used_at == uow.clock

    await authentication.revoke_api_token(RevokeApiToken(account_id, record.id), uow)
    assert uow.events(ApiTokenRevoked)
    with pytest.raises(InvalidCredentials):
        await authentication.exchange_api_token(ExchangeApiToken(secret), uow)


async def test_an_api_token_expires() -> None:
    uow = FakeIdentityUnitOfWork()
    account_id = await focal_point(uow)
    _, secret = await authentication.issue_api_token(IssueApiToken(account_id, "x", days=1), uow)
    uow.later(days=1, seconds=1)
    with pytest.raises(InvalidCredentials):
        await authentication.exchange_api_token(ExchangeApiToken(secret), uow)
    with pytest.raises(InvalidCredentials):
        await authentication.exchange_api_token(ExchangeApiToken("pat_made-up"), uow)


async def test_an_api_token_lives_at_most_the_configured_days() -> None:
    uow = FakeIdentityUnitOfWork()
    account_id = await focal_point(uow)
    with pytest.raises(InvalidInput) as error:
        await authentication.issue_api_token(IssueApiToken(account_id, "x", days=366), uow)
    assert error.value.field == "days"


async def test_attempts_in_flight_count_before_their_password_is_checked() -> None:
    """Attempts made at once are counted at once: with five others already counted and
    not yet failed, a sixth is refused unchecked and locks the username, and a right
    password counted among the five meets the lock when it is checked."""
    uow = FakeIdentityUnitOfWork()
    account_id = await focal_point(uow)
    for _ in range(5):  # five attempts still checking their passwords
        await uow.throttles.attempt("nfp.mar", uow.now())
    with pytest.raises(SignInLocked):
        await authentication.sign_in(SignIn("nfp.mar", "wrong password!"), uow)
    [event] = uow.events(AccountLocked)
    assert isinstance(event, AccountLocked)
    assert event.account_id == account_id
    with pytest.raises(SignInLocked):
        await authentication.sign_in(SignIn("nfp.mar", PASSWORD), uow)
    # a right password checked before the lock, confirmed after it, does not sign in
    uow.later(minutes=16)
    await uow.throttles.attempt("nfp.mar", uow.now())
    await uow.throttles.lock("nfp.mar", uow.now(), uow.now() + uow.lockout.lock_for)
    assert not await uow.throttles.succeed("nfp.mar", uow.now())
