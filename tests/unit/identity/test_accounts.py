"""Account administration on the in-memory unit of work."""

from __future__ import annotations

import pytest

from pesnet.identity.service_layer import accounts
from pesnet.identity.service_layer.commands import (
    ChangeOwnPassword,
    ChangeRoles,
    CreateAccount,
    CreateFirstAdministrator,
    DisableAccount,
    EnableAccount,
    EnsureDevAdministrator,
    ResetPassword,
)
from pesnet.shared.credentials import StaffRole
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.events.identity import (
    AccountCreated,
    AccountDisabled,
    AccountEnabled,
    AccountNamed,
    AccountPasswordReset,
    AccountRolesChanged,
)
from tests.unit.identity.fakes import ADMIN, FakeIdentityUnitOfWork

PASSWORD = "correct horse battery"


async def test_an_account_is_created_with_its_roles_and_an_event_without_its_password() -> None:
    uow = FakeIdentityUnitOfWork()
    account = await accounts.create_account(
        CreateAccount("Amina.Officer", PASSWORD, frozenset({StaffRole.accreditation_officer})),
        uow,
    )
    assert account.username == "amina.officer"
    assert account.password_hash == f"hashed:{PASSWORD}"
    [event] = uow.events(AccountCreated)
    assert isinstance(event, AccountCreated)
    assert event.roles == [StaffRole.accreditation_officer]
    dumped = event.model_dump_json()
    assert PASSWORD not in dumped
    assert "hashed" not in dumped
    assert [a.action for a in uow.audited] == ["account.created", "account.named"]
    assert uow.audited[0].subject == account.id


async def test_an_account_is_announced_by_the_name_staff_pages_show() -> None:
    uow = FakeIdentityUnitOfWork()
    named = await accounts.create_account(
        CreateAccount("amina", PASSWORD, ADMIN, display_name="Amina Benali"), uow
    )
    plain = await accounts.create_account(CreateAccount("Nadia", PASSWORD, ADMIN), uow)
    shown = {
        e.account_id: e.display_name
        for e in uow.events(AccountNamed)
        if isinstance(e, AccountNamed)
    }
    assert shown == {named.id: "Amina Benali", plain.id: "nadia"}


async def test_a_taken_username_is_a_conflict() -> None:
    uow = FakeIdentityUnitOfWork()
    await accounts.create_account(CreateAccount("nadia", PASSWORD, ADMIN), uow)
    with pytest.raises(Conflict):
        await accounts.create_account(CreateAccount("NADIA", PASSWORD, ADMIN), uow)
    assert len(uow.events(AccountCreated)) == 1


@pytest.mark.parametrize(
    ("roles", "country", "institution", "field"),
    [
        (frozenset(), None, None, "roles"),
        (frozenset({StaffRole.focal_point}), None, None, "country"),
        (frozenset({StaffRole.focal_point}), "FRA", None, "country"),
        (frozenset({StaffRole.programme_editor}), "MAR", None, "country"),
        (frozenset({StaffRole.programme_editor}), None, "ANAPEC", "institution"),
    ],
)
async def test_a_focal_point_and_only_a_focal_point_is_scoped_to_a_member_state(
    roles: frozenset[StaffRole], country: str | None, institution: str | None, field: str
) -> None:
    uow = FakeIdentityUnitOfWork()
    with pytest.raises(InvalidInput) as error:
        await accounts.create_account(
            CreateAccount("someone", PASSWORD, roles, country, institution), uow
        )
    assert error.value.field == field


async def test_a_short_password_or_the_username_as_password_is_refused() -> None:
    uow = FakeIdentityUnitOfWork()
    with pytest.raises(InvalidInput) as short:
        await accounts.create_account(CreateAccount("someone", "short", ADMIN), uow)
    assert short.value.field == "password"
    with pytest.raises(InvalidInput):
        await accounts.create_account(
            CreateAccount("someone.long.name", "Someone.Long.Name", ADMIN), uow
        )


async def test_the_first_administrator_only_while_there_is_none() -> None:
    uow = FakeIdentityUnitOfWork()
    first = await accounts.create_first_administrator(
        CreateFirstAdministrator("root", PASSWORD), uow
    )
    assert first.scope.roles == ADMIN
    with pytest.raises(Conflict):
        await accounts.create_first_administrator(CreateFirstAdministrator("root2", PASSWORD), uow)


async def test_changing_roles_emits_the_new_and_previous_roles_and_is_audited() -> None:
    uow = FakeIdentityUnitOfWork()
    account = await accounts.create_account(
        CreateAccount("karim", PASSWORD, frozenset({StaffRole.check_in_clerk})), uow
    )
    changed = await accounts.change_roles(
        ChangeRoles(account.id, frozenset({StaffRole.focal_point}), "MAR", "ANAPEC"), uow
    )
    assert changed.scope.country == "MAR"
    [event] = uow.events(AccountRolesChanged)
    assert isinstance(event, AccountRolesChanged)
    assert event.roles == [StaffRole.focal_point]
    assert event.previous_roles == [StaffRole.check_in_clerk]
    assert event.country == "MAR"
    assert uow.audited[-1].action == "account.roles_changed"


async def test_the_last_administrator_cannot_be_disabled_or_demoted() -> None:
    uow = FakeIdentityUnitOfWork()
    admin = await accounts.create_account(CreateAccount("root", PASSWORD, ADMIN), uow)
    with pytest.raises(Conflict):
        await accounts.disable_account(DisableAccount(admin.id), uow)
    with pytest.raises(Conflict):
        await accounts.change_roles(
            ChangeRoles(admin.id, frozenset({StaffRole.programme_editor})), uow
        )
    other = await accounts.create_account(CreateAccount("root2", PASSWORD, ADMIN), uow)
    await accounts.disable_account(DisableAccount(admin.id), uow)
    assert uow.events(AccountDisabled)
    with pytest.raises(Conflict):
        await accounts.disable_account(DisableAccount(other.id), uow)
    await accounts.enable_account(EnableAccount(admin.id), uow)
    assert uow.events(AccountEnabled)


async def test_passwords_are_reset_and_changed_without_reaching_an_event() -> None:
    uow = FakeIdentityUnitOfWork()
    account = await accounts.create_account(
        CreateAccount("salma", PASSWORD, frozenset({StaffRole.programme_editor})), uow
    )
    await accounts.reset_password(ResetPassword(account.id, "a brand new password"), uow)
    with pytest.raises(InvalidInput) as wrong:
        await accounts.change_own_password(
            ChangeOwnPassword(account.id, PASSWORD, "another new password"), uow
        )
    assert wrong.value.field == "current_password"
    await accounts.change_own_password(
        ChangeOwnPassword(account.id, "a brand new password", "another new password"), uow
    )
    assert uow.accounts.items[account.id].password_hash == "hashed:another new password"
    resets = uow.events(AccountPasswordReset)
    assert len(resets) == 2
    assert all("password" not in e.model_dump_json().replace("password_reset", "") for e in resets)


async def test_the_dev_administrator_is_created_once_and_keeps_the_configured_password() -> None:
    uow = FakeIdentityUnitOfWork()
    first = await accounts.ensure_dev_administrator(EnsureDevAdministrator("admin", PASSWORD), uow)
    again = await accounts.ensure_dev_administrator(EnsureDevAdministrator("admin", PASSWORD), uow)
    assert first.id == again.id
    assert len(uow.events(AccountCreated)) == 1
    changed = await accounts.ensure_dev_administrator(
        EnsureDevAdministrator("admin", "a changed dev password"), uow
    )
    assert changed.password_hash == "hashed:a changed dev password"
