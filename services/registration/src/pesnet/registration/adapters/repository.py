"""MongoDB collections of the registration service and their indexes.

- `meetings`: meetings open for registration (from `agenda.meeting.scheduled`,
  or the dev seed), with the meeting-wide confirmed counter.
- `registrations`: one document per person and meeting.
- `delegations`: one counter document per delegation (a country, or an OIC
  institution/partner) and meeting. Every status change of a registration updates
  its delegation's document in the same transaction, so two transactions that
  decide about the same delegation's places always write the same document and
  MongoDB makes one of them retry (write conflict): the quota cannot be overrun.
- `focal_points`: country-scoped tokens (stored as SHA-256 digests).
- `idempotency`: first results of POSTs that carried an `Idempotency-Key` (24 h).
"""

from __future__ import annotations

from pesnet.shared.mongo import IndexSpec

MEETINGS = "meetings"
REGISTRATIONS = "registrations"
DELEGATIONS = "delegations"
FOCAL_POINTS = "focal_points"
IDEMPOTENCY = "idempotency"

EMAIL_INDEX = "one_email_per_meeting"
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
    IndexSpec(REGISTRATIONS, [("manage_token_hash", 1)], name="manage_token"),
    IndexSpec(REGISTRATIONS, [("meeting_id", 1), ("checked_in_at", 1)], name="check_ins"),
    IndexSpec(DELEGATIONS, [("meeting_id", 1)], name="by_meeting"),
    IndexSpec(FOCAL_POINTS, [("token_hash", 1)], unique=True, name="token"),
    IndexSpec(
        IDEMPOTENCY,
        [("created_at", 1)],
        name="expiry",
        expire_after_seconds=IDEMPOTENCY_TTL_SECONDS,
    ),
)


def delegation_id(meeting_id: str, delegation_key: str) -> str:
    return f"{meeting_id}|{delegation_key}"
