"""Signing in: a username and password, or a personal API token, exchanged for a
short-lived signed access token.

- Failed sign-ins are counted per username, whether or not an account has it: after
  `lockout.max_failures` in a row the username is locked for `lockout.lock_for`, and
  the answer is the same for every username (`SignInLocked`), so it tells nobody
  which usernames exist. A wrong password, an unknown username and a disabled account
  are one and the same `InvalidCredentials`.
- A sign-in and a failure are audited explicitly (`sign_in.succeeded`, `sign_in.failed`,
  with the account id if there is one, never the password): no event records them; a
  lock is an `identity.account.locked` event (audited as every event is).
- API tokens are stored as SHA-256 digests only; each expires and can be revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pesnet.identity.domain.model import (
    AccessClaims,
    Account,
    ApiToken,
    InvalidCredentials,
    SignInLocked,
    normalize_username,
)
from pesnet.identity.service_layer.commands import (
    ExchangeApiToken,
    IssueApiToken,
    RevokeApiToken,
    SignIn,
)
from pesnet.identity.service_layer.unit_of_work import IdentityUnitOfWork
from pesnet.shared.audit import AuditAction, acting_actor_id
from pesnet.shared.credentials import hash_secret_token
from pesnet.shared.errors import InvalidInput, NotFound
from pesnet.shared.events.identity import AccountLocked, ApiTokenIssued, ApiTokenRevoked
from pesnet.shared.translation import _


@dataclass(frozen=True)
class AccessToken:
    access_token: str
    expires_in: int
    account: Account


def issue_access_token(account: Account, uow: IdentityUnitOfWork) -> AccessToken:
    return AccessToken(
        uow.signer.sign(AccessClaims.of(account).claims()),
        uow.signer.lifetime_seconds,
        account,
    )


async def sign_in(cmd: SignIn, uow: IdentityUnitOfWork) -> AccessToken:
    username = normalize_username(cmd.username)
    throttle = await uow.throttles.get(username)
    if throttle.locked(uow.now()):
        raise SignInLocked(throttle.retry_after(uow.now()))
    account = await uow.accounts.by_username(username)
    valid = await uow.passwords.verify(account.password_hash if account else None, cmd.password)
    if valid and account is not None and account.can_sign_in():

        async def succeed(u: IdentityUnitOfWork) -> None:
            current = await u.accounts.get(account.id)
            if current is None or not current.can_sign_in():
                raise InvalidCredentials
            await u.throttles.clear(username)
            current.last_sign_in_at = u.now()
            await u.accounts.save(current)
            u.audit(AuditAction.signed_in, subject=current.id)

        await uow.run(succeed)
        return issue_access_token(account, uow)

    async def fail(u: IdentityUnitOfWork) -> None:
        now = u.now()
        current = await u.throttles.get(username)
        if current.locked(now):
            return
        locked = current.fail(now, u.lockout)
        await u.throttles.save(current)
        subject = account.id if account is not None else None
        u.audit(AuditAction.sign_in_failed, subject=subject)
        if locked and account is not None:
            assert current.locked_until is not None
            u.emit(
                AccountLocked(
                    account_id=account.id, until=current.locked_until, failures=current.failures
                ),
                subject=account.id,
            )

    await uow.run(fail)
    raise InvalidCredentials


async def exchange_api_token(cmd: ExchangeApiToken, uow: IdentityUnitOfWork) -> AccessToken:
    token = await uow.api_tokens.by_hash(hash_secret_token(cmd.token))
    now = uow.now()
    if token is None or not token.usable(now):
        raise InvalidCredentials
    account = await uow.accounts.get(token.account_id)
    if account is None or not account.can_sign_in():
        raise InvalidCredentials

    async def touch(u: IdentityUnitOfWork) -> None:
        current = await u.api_tokens.get(token.id)
        if current is None or not current.usable(u.now()):
            raise InvalidCredentials
        current.last_used_at = u.now()
        await u.api_tokens.save(current)

    await uow.run(touch)
    return issue_access_token(account, uow)


async def issue_api_token(cmd: IssueApiToken, uow: IdentityUnitOfWork) -> tuple[ApiToken, str]:
    """The token's record and its secret, which is shown once and never stored."""
    if not 1 <= cmd.days <= uow.api_token_max_days:
        raise InvalidInput(
            _("between 1 and {days} days"), field="days", params={"days": uow.api_token_max_days}
        )
    name = cmd.name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput(_("a name of 1 to 100 characters"), field="name")

    async def work(u: IdentityUnitOfWork) -> tuple[ApiToken, str]:
        account = await u.accounts.get(cmd.account_id)
        if account is None:
            raise NotFound(_("no such account"))
        token, secret = ApiToken.issue(account.id, name, u.now(), timedelta(days=cmd.days))
        await u.api_tokens.add(token)
        u.emit(
            ApiTokenIssued(
                account_id=account.id,
                by=acting_actor_id(),
                token_id=token.id,
                name=token.name,
                expires_at=token.expires_at,
            ),
            subject=account.id,
        )
        return token, secret

    return await uow.run(work)


async def revoke_api_token(cmd: RevokeApiToken, uow: IdentityUnitOfWork) -> ApiToken:
    async def work(u: IdentityUnitOfWork) -> ApiToken:
        token = await u.api_tokens.get(cmd.token_id)
        if token is None or token.account_id != cmd.account_id:
            raise NotFound(_("no such token"))
        token.revoke(u.now())
        await u.api_tokens.save(token)
        u.emit(
            ApiTokenRevoked(account_id=token.account_id, by=acting_actor_id(), token_id=token.id),
            subject=token.account_id,
        )
        return token

    return await uow.run(work)


async def list_api_tokens(account_id: str, uow: IdentityUnitOfWork) -> list[ApiToken]:
    return await uow.api_tokens.of_account(account_id)
