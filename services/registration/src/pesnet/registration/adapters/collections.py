"""The registration service's MongoDB collections and their indexes (declared here,
created at start-up):

- `meetings`: meetings open for registration, with the meeting-wide confirmed count.
- `registrations`: one document per person and meeting.
- `delegations`: one counter document per delegation (a country, or an OIC
  institution/partner) and meeting. Every status change of a registration writes
  its delegation's document in the same transaction, so two transactions that
  decide about the same delegation's places always write the same document and
  MongoDB makes one of them retry (write conflict): the quota cannot be overrun.
- `focal_points`: focal-point nominations, country-scoped (and institution-scoped)
  tokens stored as SHA-256 digests.
- `institutions`: the network's reference of institutions (`_id` is the institution's id).
- `idempotency`: first outcomes of POSTs that carried an `Idempotency-Key` (24 h).

The repositories on them are `adapters/registrations.py` (registrations and the kept
first outcomes), `adapters/meetings.py` (meetings and delegations) and
`adapters/reference.py` (institutions and focal points): documents are mapped to and
from the domain's objects there and nowhere else."""

from __future__ import annotations

from enum import Enum
from typing import Any

from pesnet.shared.mongo import IndexSpec

MEETINGS = "meetings"
REGISTRATIONS = "registrations"
DELEGATIONS = "delegations"
FOCAL_POINTS = "focal_points"
INSTITUTIONS = "institutions"
IDEMPOTENCY = "idempotency"

EMAIL_INDEX = "one_email_per_meeting"
SHORT_CODE_INDEX = "one_short_code_per_meeting"
IDEMPOTENCY_TTL_SECONDS = 24 * 3600

INDEXES = (
    # The guarantee behind 409 for a second registration with the same e-mail:
    # enforced by the database, not by a read-then-write.
    IndexSpec(REGISTRATIONS, [("meeting_id", 1), ("email_key", 1)], unique=True, name=EMAIL_INDEX),
    # The waitlist of a delegation, oldest first.
    IndexSpec(
        REGISTRATIONS,
        [("meeting_id", 1), ("country", 1), ("status", 1), ("registered_at", 1)],
        name="delegation_status",
    ),
    # The check-in list and the badge sheet: a meeting's confirmed, by country and name.
    IndexSpec(
        REGISTRATIONS,
        [("meeting_id", 1), ("status", 1), ("country", 1), ("family_name", 1), ("given_name", 1)],
        name="check_in_order",
    ),
    IndexSpec(REGISTRATIONS, [("manage_token_hash", 1)], name="manage_token"),
    # The desk types a badge's short code: one person per code and meeting.
    IndexSpec(
        REGISTRATIONS,
        [("meeting_id", 1), ("short_code", 1)],
        unique=True,
        name=SHORT_CODE_INDEX,
        partial_filter={"short_code": {"$type": "string"}},
    ),
    # The desk's search: a meeting's people by the folded words of their names.
    IndexSpec(REGISTRATIONS, [("meeting_id", 1), ("name_keys", 1)], name="name_keys"),
    IndexSpec(REGISTRATIONS, [("meeting_id", 1), ("checked_in_at", 1)], name="check_ins"),
    IndexSpec(DELEGATIONS, [("meeting_id", 1)], name="by_meeting"),
    IndexSpec(FOCAL_POINTS, [("token_hash", 1)], unique=True, name="token"),
    IndexSpec(INSTITUTIONS, [("country", 1)], name="by_country"),
    IndexSpec(
        IDEMPOTENCY,
        [("created_at", 1)],
        name="expiry",
        expire_after_seconds=IDEMPOTENCY_TTL_SECONDS,
    ),
)


def plain(value: Any) -> Any:
    """A value as stored (an enum by its value)."""
    return value.value if isinstance(value, Enum) else value
