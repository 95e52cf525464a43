"""Collaborators the use cases are given (bootstrap chooses the real ones)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from pesnet.actionplan.domain.decisions import DecisionState
from pesnet.actionplan.domain.institutions import Names
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.i18n import Language, Localized

Clock = Callable[[], datetime]
UnitOfWorkFactory = Callable[[], ActionPlanUnitOfWork]


class ReportRenderer(Protocol):
    """The implementation report of a plan (`adapters/report.py`), in `lang`; `names`
    are the reference's institutions the plan names (shown by name, never by id)."""

    def html(
        self,
        plan: Plan,
        lang: Language,
        meetings: Mapping[str, Localized],
        names: Names,
        decisions: Sequence[DecisionState] = (),
    ) -> str:
        """The page; `meetings` names the plan's meetings (else their ids are shown);
        `decisions` are the meetings' decisions its activities carry out."""

    def csv(self, plan: Plan, lang: Language, names: Names) -> str: ...
