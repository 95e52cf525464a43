"""The network's reference of institutions (registration owns it): register an
institution, rename it, list it; and what the other use cases ask of it (an
institution that a registration or a focal-point nomination names must exist).

Every change is announced in its transaction with the institution as it now stands
and its version (`registration.institution.registered` / `.renamed`, public): the
other services keep their own projection of the reference from these events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pesnet.registration.domain.commands import (
    NewInstitution,
    RegisterInstitution,
    RenameInstitution,
)
from pesnet.registration.domain.institutions import Institution
from pesnet.registration.domain.model import normalize_country
from pesnet.registration.service_layer.unit_of_work import RegistrationUnitOfWork
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import InvalidInput, NotFound
from pesnet.shared.events.registration import (
    InstitutionChanged,
    InstitutionRegistered,
    InstitutionRenamed,
)
from pesnet.shared.logging import get_logger
from pesnet.shared.translation import _

log = get_logger(__name__)

U = RegistrationUnitOfWork


def _now() -> datetime:
    """The current instant at MongoDB's precision (what a later read answers)."""
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _emit(uow: U, model: type[InstitutionChanged], institution: Institution, **extra: Any) -> None:
    uow.emit(
        model(
            institution_id=institution.id,
            name=institution.name,
            acronym=institution.acronym,
            country=institution.country,
            version=institution.version,
            **extra,
        ),
        subject=f"institution/{institution.id}",
    )


async def register_institution(cmd: RegisterInstitution, uow: U) -> Institution:
    details = cmd.details
    institution = Institution.register(
        id=details.id,
        name=details.name,
        acronym=details.acronym,
        country=details.country,
        at=_now(),
    )

    async def work(uow: U) -> Institution:
        await uow.institutions.add(institution)
        _emit(uow, InstitutionRegistered, institution, registered_at=institution.registered_at)
        uow.audit("institution.registered", subject=institution.id)
        return institution

    await uow.run(work)
    log.info("institution registered", institution_id=institution.id)
    return institution


async def rename_institution(cmd: RenameInstitution, uow: U) -> Institution:
    cmd.changes.check()

    async def work(uow: U) -> Institution:
        institution = await _institution(uow, cmd.institution_id)
        at = _now()
        if institution.rename(name=cmd.changes.name, acronym=cmd.changes.acronym, at=at):
            await uow.institutions.save(institution)
            _emit(uow, InstitutionRenamed, institution, renamed_at=at)
            uow.audit("institution.renamed", subject=institution.id)
        return institution

    return await uow.run(work)


async def institutions(country: str | None, uow: U) -> list[Institution]:
    if country is not None:
        country = normalize_country(country, field="query.country")
    return await uow.institutions.listed(country)


async def institution(institution_id: str, uow: U) -> Institution:
    return await _institution(uow, institution_id)


async def seed_institutions(seed: Iterable[NewInstitution], uow: U) -> list[str]:
    """Register the institutions of `seed` that the reference lacks (their ids)."""
    added = []
    for details in seed:
        if await uow.institutions.get(details.id) is None:
            await register_institution(RegisterInstitution(details), uow)
            added.append(details.id)
    return added


async def require_institution(uow: U, institution_id: str, field: str) -> Institution:
    """The institution a request names by id; an unknown id is a 422 on `field`."""
    found = await uow.institutions.get(institution_id)
    if found is None:
        raise InvalidInput(
            _("there is no institution {institution_id} in the network's reference"),
            field=field,
            params={"institution_id": institution_id},
        )
    return found


async def _institution(uow: U, institution_id: str) -> Institution:
    found = await uow.institutions.get(institution_id)
    if found is None:
        raise NotFound(
            _("there is no institution {institution_id} in the network's reference"),
            params={"institution_id": institution_id},
        )
    return found
