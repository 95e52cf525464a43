"""What the entrypoints are given: bootstrap builds a `Dependencies` (the unit of work
factory, the report renderer, the reminder scheduler) and puts it on `app.state`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from pesnet.actionplan.service_layer.ports import ReportRenderer, UnitOfWorkFactory
from pesnet.actionplan.service_layer.reminders import ReminderScheduler
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork


@dataclass(frozen=True)
class Dependencies:
    unit_of_work: UnitOfWorkFactory
    renderer: ReportRenderer
    scheduler: ReminderScheduler


def dependencies(request: Request) -> Dependencies:
    found: Dependencies = request.app.state.dependencies
    return found


def unit_of_work(request: Request) -> ActionPlanUnitOfWork:
    return dependencies(request).unit_of_work()


def renderer(request: Request) -> ReportRenderer:
    return dependencies(request).renderer


UoW = Annotated[ActionPlanUnitOfWork, Depends(unit_of_work)]
Renderer = Annotated[ReportRenderer, Depends(renderer)]
