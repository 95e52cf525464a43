"""The network's reference of institutions (registration owns it): register an
institution, rename it, list it; and what the other use cases ask of it (an
institution that a registration or a focal-point nomination names must exist).

Every change is announced in its transaction (the institution records it) with the
institution as it now stands and its version (`registration.institution.registered` / `.renamed`, public): the
other services keep their own projection of the reference from these events."""

from __future__ import annotations

from collections.abc import Iterable

from pesnet.registration.domain.commands import RegisterInstitution, RenameInstitution
from pesnet.registration.domain.institution import Institution
from pesnet.registration.domain.names import normalize_country
from pesnet.registration.service_layer.unit_of_work import Clock, RegistrationUnitOfWork, now_ms
from pesnet.shared.errors import InvalidInput, NotFound
from pesnet.shared.logging import get_logger
from pesnet.shared.translation import _

log = get_logger(__name__)

U = RegistrationUnitOfWork


async def register_institution(
    cmd: RegisterInstitution, uow: U, *, clock: Clock = now_ms
) -> Institution:
    institution = Institution.register(
        id=cmd.id, name=cmd.name, acronym=cmd.acronym, country=cmd.country, at=clock()
    )

    async def work(uow: U) -> Institution:
        await uow.institutions.add(institution)
        return institution

    await uow.run(work)
    log.info("institution registered", institution_id=institution.id)
    return institution


async def rename_institution(
    cmd: RenameInstitution, uow: U, *, clock: Clock = now_ms
) -> Institution:
    if cmd.name is None and cmd.acronym is None:
        raise InvalidInput(_("nothing to correct"), field="body")

    async def work(uow: U) -> Institution:
        institution = await _institution(uow, cmd.institution_id)
        if institution.rename(name=cmd.name, acronym=cmd.acronym, at=clock()):
            await uow.institutions.save(institution)
        return institution

    return await uow.run(work)


async def institutions(country: str | None, uow: U) -> list[Institution]:
    if country is not None:
        country = normalize_country(country, field="query.country")
    return await uow.institutions.listed(country)


async def institution(institution_id: str, uow: U) -> Institution:
    return await _institution(uow, institution_id)


async def seed_institutions(seed: Iterable[RegisterInstitution], uow: U) -> list[str]:
    """Register the institutions of `seed` that the reference lacks (their ids)."""
    added = []
    for command in seed:
        if await uow.institutions.get(command.id) is None:
            await register_institution(command, uow)
            added.append(command.id)
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
