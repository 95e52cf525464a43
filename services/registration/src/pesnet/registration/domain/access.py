"""Who may do what to which registration, for the kernel's `Actor`: the staff roles
that act on any registration, the national focal points on their country's, the
registrants on their own; and where each action of the workflow may start from."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pesnet.shared.credentials import Actor, ActorKind, StaffRole
from pesnet.shared.errors import Forbidden, InvalidInput, Unauthorized
from pesnet.shared.events.common import ParticipantStatus, Role
from pesnet.shared.terms import ROLES, listing
from pesnet.shared.translation import _

# The contract's statuses: every participant event carries the one after its change.
Status = ParticipantStatus


class Action(StrEnum):
    confirm = "confirm"
    reject = "reject"
    withdraw = "withdraw"
    check_in = "check_in"
    correct = "correct"


# What the workflow answers when an action may not start from a registration's status.
NOT_FROM: dict[Action, str] = {
    Action.confirm: _("cannot confirm a registration that is {status}"),
    Action.reject: _("cannot reject a registration that is {status}"),
    Action.withdraw: _("cannot withdraw a registration that is {status}"),
    Action.check_in: _("cannot check in a registration that is {status}"),
    Action.correct: _("cannot correct a registration that is {status}"),
}
# What a credential that may not take an action at all is told.
NOT_ALLOWED: dict[Action, str] = {
    Action.confirm: _("these credentials do not allow to confirm registrations"),
    Action.reject: _("these credentials do not allow to reject registrations"),
    Action.withdraw: _("these credentials do not allow to withdraw registrations"),
    Action.check_in: _("these credentials do not allow to check registrations in"),
    Action.correct: _("these credentials do not allow to correct registrations"),
}

# Which statuses each action may start from.
ALLOWED_FROM: dict[Action, frozenset[Status]] = {
    Action.confirm: frozenset({Status.registered, Status.waitlisted, Status.confirmed}),
    Action.reject: frozenset({Status.registered, Status.waitlisted}),
    Action.withdraw: frozenset({Status.registered, Status.waitlisted, Status.confirmed}),
    Action.check_in: frozenset({Status.confirmed}),
    Action.correct: frozenset({Status.registered, Status.waitlisted, Status.confirmed}),
}

# Without a country a registration speaks for an OIC institution or a partner:
# these roles need a member state.
ROLES_NEEDING_COUNTRY = frozenset({Role.head_of_delegation, Role.delegate, Role.focal_point})

# The roles a person may claim on the public form; a focal point also nominates focal
# points. Speakers, moderators and the secretariat's own people take their places from
# the programme or an invitation by the secretariat (an accreditation officer's call).
PUBLIC_ROLES = (Role.head_of_delegation, Role.delegate, Role.observer)
NOMINATED_ROLES = frozenset({*PUBLIC_ROLES, Role.focal_point})
INVITED_ROLES = frozenset({Role.speaker, Role.moderator, Role.secretariat})

# How an actor is named in a registration and its events.
ActorLabel = Literal["secretariat", "focal_point", "registrant"]

# The staff roles that may take an action on any registration (the administrator holds
# them all); a national focal point acts on its country's registrations, a registrant
# on their own.
RIGHTS: dict[Action, tuple[StaffRole, ...]] = {
    Action.confirm: (StaffRole.accreditation_officer,),
    Action.reject: (StaffRole.accreditation_officer,),
    Action.withdraw: (StaffRole.accreditation_officer,),
    Action.correct: (StaffRole.accreditation_officer,),
    Action.check_in: (StaffRole.check_in_clerk,),
}
# Who reads any registration: accreditation, and the check-in desk (a badge's holder).
READERS = (StaffRole.accreditation_officer, StaffRole.check_in_clerk)
# Who lists a meeting's registrations (a focal point: their country's).
LISTERS = (StaffRole.accreditation_officer,)
# What a focal point and a registrant may do on the registrations in their scope.
FOCAL_POINT_ACTIONS = frozenset({Action.confirm, Action.reject, Action.withdraw, Action.correct})
REGISTRANT_ACTIONS = frozenset({Action.withdraw, Action.correct})


def label_of(actor: Actor) -> ActorLabel:
    if actor.kind is ActorKind.focal_point:
        return "focal_point"
    if actor.kind in (ActorKind.secretariat, ActorKind.staff):
        return "secretariat"
    return "registrant"


def require_credentials(actor: Actor) -> None:
    if actor.is_anonymous:
        raise Unauthorized(
            _("a bearer token is required (secretariat, focal point, or your manage token)")
        )


def is_focal_point(actor: Actor) -> bool:
    """A national focal point of a country (its `fp_` token or its account)."""
    return actor.kind is ActorKind.focal_point and actor.country is not None


def check_right(actor: Actor, action: Action) -> None:
    """Before any registration is looked at: may this actor take `action` at all?
    (Which registrations, `Registration.authorize` says.)"""
    require_credentials(actor)
    if actor.has(*RIGHTS[action]):
        return
    if is_focal_point(actor) and action in FOCAL_POINT_ACTIONS:
        return
    if actor.kind is ActorKind.registrant and action in REGISTRANT_ACTIONS:
        return
    raise Forbidden(NOT_ALLOWED[action])


def check_reader(actor: Actor) -> None:
    """Before any registration is looked at: may this actor read registrations at all?"""
    require_credentials(actor)
    if actor.has(*READERS) or is_focal_point(actor) or actor.kind is ActorKind.registrant:
        return
    raise Forbidden(_("these credentials do not give access to registrations"))


def check_nomination(actor: Actor, country: str | None, role: Role) -> None:
    """Who may register whom: a delegation's roles need a member state, and a focal
    point nominates delegates of their own country only."""
    if country is None and role in ROLES_NEEDING_COUNTRY:
        raise InvalidInput(
            _("a {role} represents a member state: give its ISO alpha-3 code"),
            field="country",
            params={"role": ROLES[role]},
        )
    invited = role in INVITED_ROLES or not is_focal_point(actor)
    if role not in PUBLIC_ROLES and invited and not actor.has(StaffRole.accreditation_officer):
        raise Forbidden(
            _("a {role} is invited by the secretariat: register as {roles}"),
            params={"role": ROLES[role], "roles": listing(ROLES[r] for r in PUBLIC_ROLES)},
        )
    if actor.kind is ActorKind.focal_point and country != actor.country:
        raise Forbidden(
            _("a focal point of {country} may nominate delegates of {country} only"),
            params={"country": actor.country},
        )


def listing_country(actor: Actor, country: str | None) -> str | None:
    """The country whose registrations `actor` may list (None: all)."""
    require_credentials(actor)
    if actor.has(*LISTERS):
        return country
    if is_focal_point(actor):
        if country is not None and country != actor.country:
            raise Forbidden(
                _("a focal point of {country} sees {country} only"),
                params={"country": actor.country},
            )
        return actor.country
    raise Forbidden(_("these credentials do not give access to registrations"))
