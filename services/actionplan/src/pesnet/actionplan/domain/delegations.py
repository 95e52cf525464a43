"""Heads of delegation, as the action plan needs to know them: whether a registration
still speaks for its member state in the consultation on a draft plan.

Registration signs a head of delegation's consultation link only while the registration
is a confirmed head of delegation (`pesnet.shared.delegation_links`); what happens after
is told by registration's participant events, each carrying the registration as it
stands after the change. The action plan keeps the newest state of every registration it
heard of (no name, no address: the registration, its meeting, member state, role and
status) and refuses the link of one withdrawn, refused, waitlisted again, moved to
another member state or no longer head of delegation. A registration it never heard of
is the one the link's signature vouches for: confirmed head of delegation when it was
signed, and nothing since.

Events of one registration may arrive out of order (replicas, redelivery): the newest
(the event's time) wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pesnet.shared.delegation_links import DelegationLink
from pesnet.shared.events.common import ParticipantStatus, Role

PURGED = "purged"


class Standing(StrEnum):
    """What a consultation link is worth now."""

    speaks = "speaks"
    not_valid = "not_valid"  # no genuine link (forged, tampered, of the first form)
    expired = "expired"
    revoked = "revoked"  # the registration no longer speaks for its delegation


@dataclass(frozen=True)
class DelegationRegistration:
    """A registration as registration's newest event told it (`status` "purged" once
    the meeting's personal data was erased: it speaks no more)."""

    registration_id: str
    meeting_id: str
    country: str | None
    role: str | None
    status: str
    as_of: datetime

    def replaced_by(self, as_of: datetime) -> bool:
        """Whether a state as of `as_of` is newer than this one."""
        return as_of >= self.as_of

    def speaks_as(self, link: DelegationLink) -> bool:
        """Whether it is still the confirmed head of the link's delegation."""
        return (
            self.role == Role.head_of_delegation.value
            and self.status == ParticipantStatus.confirmed.value
            and self.country == link.country
            and self.meeting_id == link.meeting_id
        )


def standing_of(
    link: DelegationLink | None, known: DelegationRegistration | None, now: datetime
) -> Standing:
    if link is None:
        return Standing.not_valid
    if link.expired(now):
        return Standing.expired
    if known is not None and not known.speaks_as(link):
        return Standing.revoked
    return Standing.speaks
