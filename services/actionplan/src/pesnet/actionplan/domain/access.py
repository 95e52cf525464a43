"""Who may do what in the action plan. The secretariat runs the plan; a focal point acts
for its one institution: it files that institution's needs and offers, reports on
what the institution leads and answers the proposals it is party to."""

from __future__ import annotations

from pesnet.actionplan.domain.plan import Plan
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.errors import Forbidden
from pesnet.shared.translation import _


def institution_of(actor: Actor) -> str:
    """The institution a focal point acts for; anyone else is refused."""
    if actor.institution is None:
        raise Forbidden(_("this is done by an institution's focal point (a focal-point token)"))
    return actor.institution


def require_lead(plan: Plan, activity_id: str, actor: Actor) -> None:
    """An activity's status is changed by the action-plan officer (and the administrator)
    or a lead institution's focal point."""
    if actor.has(StaffRole.actionplan_officer):
        return
    institution = institution_of(actor)
    if institution not in plan.activity(activity_id).lead_institutions:
        raise Forbidden(
            _("{institution} does not lead this activity"), params={"institution": institution}
        )
