"""Events published by the action-plan service. Plan, activity and validated
progress facts are public; anything naming a person (reporters, focal points,
cooperation contacts, reminders) is internal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pesnet.shared.catalog import EventPayload, EventSpec, PublicPayload
from pesnet.shared.events.common import Contact, Localized, MeetingId

ActivityStatus = Literal["planned", "ongoing", "completed", "postponed", "cancelled"]
# what an institution brings to a cooperation: what it offers, or what it needs
CooperationSide = Literal["offer", "need"]


class ThematicAreaRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: Localized


class PlanAdopted(PublicPayload):
    period: str
    meeting_id: MeetingId | None = None
    adopted_at: datetime
    thematic_areas: list[ThematicAreaRef]


class PlanClosed(PublicPayload):
    period: str
    closed_at: datetime


class ActivityParticipant(BaseModel):
    """An institution taking part in an activity (institutions only, never people)."""

    model_config = ConfigDict(frozen=True)

    institution: str
    role: Literal["implementing", "funding", "host"]


class ActivityChanged(PublicPayload):
    """An activity as it stands after the change."""

    activity_id: str
    period: str
    title: Localized
    activity_type: str
    thematic_area: str
    lead_institutions: list[str]
    status: ActivityStatus
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    # optional additions (schema v1 stays compatible)
    summary: Localized | None = None
    participants: list[ActivityParticipant] = []


class ActivityCreated(ActivityChanged):
    pass


class ActivityUpdated(ActivityChanged):
    pass


class ProgressValidated(PublicPayload):
    report_id: str
    period: str
    indicator_id: str
    activity_id: str | None = None
    reporting_period: str
    actual_value: float | str
    validated_at: datetime


class ProgressReviewed(EventPayload):
    """The private side of a review, for the reporter: validated, or returned with a comment."""

    report_id: str
    period: str
    indicator_id: str
    activity_id: str | None = None
    indicator_title: Localized
    outcome: Literal["validated", "returned"]
    comment: str | None = None
    reporter: Contact


class CooperationParty(BaseModel):
    model_config = ConfigDict(frozen=True)

    institution: str
    side: CooperationSide
    contacts: list[Contact] = []
    # the institution's names from the network's reference, for the people told
    # (optional addition: schema v1 stays compatible)
    institution_name: Localized | None = None


class CooperationProposed(EventPayload):
    proposal_id: str
    period: str | None = None
    kind: Literal["bilateral", "multilateral"]
    thematic_area: ThematicAreaRef
    offer_title: Localized
    explanation: Localized
    score: float
    parties: list[CooperationParty]


class CooperationAnswered(EventPayload):
    proposal_id: str
    institution: str
    answer: Literal["accepted", "declined"]


class ReminderDue(EventPayload):
    reminder_id: str
    kind: Literal["reporting_period_closing", "activity_starting"]
    period: str
    subject_title: Localized
    due_date: date
    recipients: list[Contact]


EVENTS = (
    EventSpec(
        "actionplan.plan.adopted",
        PlanAdopted,
        "An action plan was adopted at a meeting.",
        visibility="public",
    ),
    EventSpec(
        "actionplan.plan.closed", PlanClosed, "An action plan was closed.", visibility="public"
    ),
    EventSpec(
        "actionplan.activity.created",
        ActivityCreated,
        "An activity was added to a plan.",
        visibility="public",
    ),
    EventSpec(
        "actionplan.activity.updated",
        ActivityUpdated,
        "An activity's details or status changed.",
        visibility="public",
    ),
    EventSpec(
        "actionplan.progress.validated",
        ProgressValidated,
        "The secretariat validated a progress report.",
        visibility="public",
    ),
    EventSpec(
        "actionplan.progress.reviewed",
        ProgressReviewed,
        "The secretariat validated or returned a progress report (internal: names the reporter).",
    ),
    EventSpec(
        "actionplan.cooperation.proposed",
        CooperationProposed,
        "Matching proposed a cooperation between a need and an offer.",
    ),
    EventSpec(
        "actionplan.cooperation.answered",
        CooperationAnswered,
        "One side accepted or declined a cooperation proposal.",
    ),
    EventSpec(
        "actionplan.reminder.due",
        ReminderDue,
        "A reporting period closes or an activity starts soon.",
    ),
)
