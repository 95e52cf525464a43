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
    # the consultation on the draft: how many comments it answered, by outcome
    consultation: dict[str, int] = {}


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


class PlanCreated(EventPayload):
    period: str


class ThematicAreaAdded(EventPayload):
    period: str
    area_id: str


class IndicatorAdded(EventPayload):
    period: str
    indicator_id: str


class Submitted(EventPayload):
    """An institution submitted a need or an offer of a plan (the ids only)."""

    period: str
    submission_id: str
    institution: str
    thematic_area: str


class NeedSubmitted(Submitted):
    pass


class OfferSubmitted(Submitted):
    pass


class MatchingRun(EventPayload):
    period: str
    proposals: int


class ProgressReported(EventPayload):
    period: str
    report_id: str
    # None: the indicator measures a thematic area, not one activity
    activity_id: str | None = None
    institution: str
    # the returned report this one answers, and whether a file is kept as evidence
    resubmits: str | None = None
    evidence_file: bool = False


class EvidenceErased(EventPayload):
    """A closed plan's evidence files were erased when their retention ended (the
    reports stay and say their file was erased)."""

    period: str
    files: int
    erased_at: datetime


ConsultationStance = Literal["support", "amend", "object"]
ConsultationOutcome = Literal["taken", "partly", "not"]


class DraftCommented(PublicPayload):
    """A member state's delegation commented on a draft plan (a country, never a person)."""

    period: str
    comment_id: str
    country: str
    thematic_area: str | None = None
    activity_id: str | None = None
    stance: ConsultationStance
    illustrative: bool = False


class DraftCommentAnswered(PublicPayload):
    """The secretariat answered a delegation's comment on a draft plan, with its reason."""

    period: str
    comment_id: str
    country: str
    outcome: ConsultationOutcome
    reason: str


class InterimFocalPointChanged(EventPayload):
    """The action-plan officer named (or revoked) an interim focal point of an
    institution; its id only (the person stays in the action plan)."""

    focal_point_id: str
    institution: str


class InterimFocalPointIssued(InterimFocalPointChanged):
    pass


class InterimFocalPointRevoked(InterimFocalPointChanged):
    pass


class DecisionActivityLinked(PublicPayload):
    """The secretariat linked a meeting's decision (a paragraph of its published
    communiqué) to a plan activity that carries it out."""

    meeting_id: MeetingId
    paragraph_id: str
    period: str
    activity_id: str


class DecisionActivityUnlinked(DecisionActivityLinked):
    """The link between a decision and an activity was removed."""


def _internal(event_type: str, model: type[EventPayload], description: str) -> EventSpec:
    return EventSpec(event_type, model, f"{description} (internal).")


EVENTS = (
    _internal("actionplan.plan.created", PlanCreated, "A plan period was created"),
    _internal("actionplan.thematic_area.added", ThematicAreaAdded, "A thematic area joined a plan"),
    _internal("actionplan.indicator.added", IndicatorAdded, "An indicator joined a plan"),
    _internal("actionplan.need.submitted", NeedSubmitted, "An institution submitted a need"),
    _internal("actionplan.offer.submitted", OfferSubmitted, "An institution submitted an offer"),
    _internal("actionplan.matching.run", MatchingRun, "Needs and offers of a plan were matched"),
    _internal("actionplan.progress.reported", ProgressReported, "A progress report was submitted"),
    _internal(
        "actionplan.evidence.erased",
        EvidenceErased,
        "A closed plan's evidence files were erased at the end of their retention",
    ),
    _internal(
        "actionplan.focal_point.issued",
        InterimFocalPointIssued,
        "An interim focal point of an institution was named",
    ),
    _internal(
        "actionplan.focal_point.revoked",
        InterimFocalPointRevoked,
        "An interim focal point was revoked",
    ),
    EventSpec(
        "actionplan.plan.adopted",
        PlanAdopted,
        "An action plan was adopted at a meeting.",
        visibility="public",
    ),
    EventSpec(
        "actionplan.decision.activity_linked",
        DecisionActivityLinked,
        "A meeting's decision was linked to a plan activity that carries it out.",
        visibility="public",
    ),
    EventSpec(
        "actionplan.decision.activity_unlinked",
        DecisionActivityUnlinked,
        "A link between a meeting's decision and a plan activity was removed.",
        visibility="public",
    ),
    EventSpec(
        "actionplan.consultation.commented",
        DraftCommented,
        "A member state's delegation commented on a draft plan.",
        visibility="public",
    ),
    EventSpec(
        "actionplan.consultation.answered",
        DraftCommentAnswered,
        "The secretariat answered a comment on a draft plan.",
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
