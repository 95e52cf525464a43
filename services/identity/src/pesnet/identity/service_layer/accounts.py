"""Account administration: create, change roles, disable and enable, unlock, reset a
password. Each change is one transaction with its event (and so its audit entry); no
event or entry carries a password or its hash. Passwords are hashed before the
transaction starts (argon2id is slow on purpose; a retried transaction must not
hash again)."""

from __future__ import annotations

from pesnet.identity.domain.model import Account, Scope, check_password, check_username
from pesnet.identity.service_layer.commands import (
    ChangeOwnPassword,
    ChangeRoles,
    CreateAccount,
    CreateFirstAdministrator,
    DisableAccount,
    EnableAccount,
    EnsureDevAdministrator,
    ResetPassword,
    UnlockAccount,
)
from pesnet.identity.service_layer.unit_of_work import IdentityUnitOfWork
from pesnet.shared.audit import acting_actor_id
from pesnet.shared.credentials import StaffRole
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.events.identity import (
    AccountCreated,
    AccountDisabled,
    AccountEnabled,
    AccountNamed,
    AccountPasswordReset,
    AccountRolesChanged,
    AccountUnlocked,
)
from pesnet.shared.translation import _


def _by(uow: IdentityUnitOfWork) -> str | None:
    return uow.actor.audit_id if uow.actor is not None else acting_actor_id()


async def _get(uow: IdentityUnitOfWork, account_id: str) -> Account:
    account = await uow.accounts.get(account_id)
    if account is None:
        raise NotFound(_("no such account"))
    return account


async def create_account(cmd: CreateAccount, uow: IdentityUnitOfWork) -> Account:
    username = check_username(cmd.username)
    check_password(cmd.password, username=username)
    scope = Scope.of(cmd.roles, cmd.country, cmd.institution)
    password_hash = await uow.passwords.hash(cmd.password)

    async def work(u: IdentityUnitOfWork) -> Account:
        account = Account.open(username, password_hash, scope, u.now())
        await u.accounts.add(account)
        u.emit(
            AccountCreated(
                account_id=account.id,
                by=_by(u),
                roles=scope.sorted_roles(),
                country=scope.country,
                institution=scope.institution,
            ),
            subject=account.id,
        )
        u.emit(
            AccountNamed(
                account_id=account.id, by=_by(u), display_name=cmd.display_name or username
            ),
            subject=account.id,
        )
        return account

    return await uow.run(work)


async def create_first_administrator(
    cmd: CreateFirstAdministrator, uow: IdentityUnitOfWork
) -> Account:
    """With the shared bootstrap token or the CLI: only while no administrator exists."""
    if await uow.accounts.count_administrators() > 0:
        raise Conflict(_("an administrator exists already: ask them for an account"))
    return await create_account(
        CreateAccount(cmd.username, cmd.password, frozenset({StaffRole.administrator})), uow
    )


async def ensure_dev_administrator(cmd: EnsureDevAdministrator, uow: IdentityUnitOfWork) -> Account:
    """Dev mode: `make run`'s administrator, with the configured password."""
    username = check_username(cmd.username)
    account = await uow.accounts.by_username(username)
    if account is None:
        return await create_account(
            CreateAccount(username, cmd.password, frozenset({StaffRole.administrator})), uow
        )
    if not await uow.passwords.verify(account.password_hash, cmd.password):
        await reset_password(ResetPassword(account.id, cmd.password), uow)
    if not account.is_administrator:
        if account.disabled:
            await enable_account(EnableAccount(account.id), uow)
        await change_roles(
            ChangeRoles(account.id, account.scope.roles | {StaffRole.administrator}), uow
        )
    return await _get(uow, account.id)


async def _keep_an_administrator(uow: IdentityUnitOfWork, account: Account) -> None:
    """Refuse the change that would leave no enabled administrator."""
    if account.is_administrator and await uow.accounts.count_administrators() <= 1:
        raise Conflict(_("this is the last administrator: make another one first"))


async def change_roles(cmd: ChangeRoles, uow: IdentityUnitOfWork) -> Account:
    scope = Scope.of(cmd.roles, cmd.country, cmd.institution)

    async def work(u: IdentityUnitOfWork) -> Account:
        account = await _get(u, cmd.account_id)
        if StaffRole.administrator not in scope.roles:
            await _keep_an_administrator(u, account)
        previous = account.scope
        if previous == scope:
            return account
        account.scope = scope
        await u.accounts.save(account)
        u.emit(
            AccountRolesChanged(
                account_id=account.id,
                by=_by(u),
                roles=scope.sorted_roles(),
                previous_roles=previous.sorted_roles(),
                country=scope.country,
                institution=scope.institution,
            ),
            subject=account.id,
        )
        return account

    return await uow.run(work)


async def disable_account(cmd: DisableAccount, uow: IdentityUnitOfWork) -> Account:
    async def work(u: IdentityUnitOfWork) -> Account:
        account = await _get(u, cmd.account_id)
        if account.disabled:
            return account
        await _keep_an_administrator(u, account)
        account.disabled = True
        await u.accounts.save(account)
        u.emit(AccountDisabled(account_id=account.id, by=_by(u)), subject=account.id)
        return account

    return await uow.run(work)


async def enable_account(cmd: EnableAccount, uow: IdentityUnitOfWork) -> Account:
    async def work(u: IdentityUnitOfWork) -> Account:
        account = await _get(u, cmd.account_id)
        if not account.disabled:
            return account
        account.disabled = False
        await u.accounts.save(account)
        u.emit(AccountEnabled(account_id=account.id, by=_by(u)), subject=account.id)
        return account

    return await uow.run(work)


async def unlock_account(cmd: UnlockAccount, uow: IdentityUnitOfWork) -> Account:
    async def work(u: IdentityUnitOfWork) -> Account:
        account = await _get(u, cmd.account_id)
        await u.throttles.clear(account.username)
        u.emit(AccountUnlocked(account_id=account.id, by=_by(u)), subject=account.id)
        return account

    return await uow.run(work)


async def reset_password(cmd: ResetPassword, uow: IdentityUnitOfWork) -> Account:
    account = await _get(uow, cmd.account_id)
    check_password(cmd.password, username=account.username)
    password_hash = await uow.passwords.hash(cmd.password)
    return await _set_password(uow, cmd.account_id, password_hash)


async def change_own_password(cmd: ChangeOwnPassword, uow: IdentityUnitOfWork) -> Account:
    account = await _get(uow, cmd.account_id)
    if not await uow.passwords.verify(account.password_hash, cmd.current_password):
        raise InvalidInput(_("this is not your current password"), field="current_password")
    check_password(cmd.new_password, username=account.username, field_name="new_password")
    password_hash = await uow.passwords.hash(cmd.new_password)
    return await _set_password(uow, cmd.account_id, password_hash)


async def _set_password(uow: IdentityUnitOfWork, account_id: str, password_hash: str) -> Account:
    async def work(u: IdentityUnitOfWork) -> Account:
        account = await _get(u, account_id)
        account.password_hash = password_hash
        await u.accounts.save(account)
        await u.throttles.clear(account.username)
        u.emit(AccountPasswordReset(account_id=account.id, by=_by(u)), subject=account.id)
        return account

    return await uow.run(work)


async def list_accounts(uow: IdentityUnitOfWork) -> list[Account]:
    return await uow.accounts.list()


async def get_account(account_id: str, uow: IdentityUnitOfWork) -> Account:
    return await _get(uow, account_id)
