"""What the entrypoints are given (bootstrap builds it): a unit of work per use, the
renderer of programmes and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from pesnet.agenda.service_layer.rendering import DocumentRenderer, ProgrammeRenderer
from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork, Clock, UnitOfWorkFactory
from pesnet.shared.envelope import utcnow


@dataclass(frozen=True)
class AgendaDependencies:
    unit_of_work: UnitOfWorkFactory
    renderer: ProgrammeRenderer
    documents: DocumentRenderer
    clock: Clock = utcnow


def get_dependencies(request: Request) -> AgendaDependencies:
    dependencies: AgendaDependencies = request.app.state.agenda
    return dependencies


def new_unit_of_work(request: Request) -> AgendaUnitOfWork:
    return get_dependencies(request).unit_of_work()


Dependencies = Annotated[AgendaDependencies, Depends(get_dependencies)]
UnitOfWork = Annotated[AgendaUnitOfWork, Depends(new_unit_of_work)]
