"""What the service is asked to do and to tell: one small frozen dataclass per use
case. The HTTP and messaging entrypoints build them; the use cases take them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from pesnet.actionplan.domain.activities import ActivityStatus, ActivityType, Participation
from pesnet.actionplan.domain.consultation import Outcome, Stance
from pesnet.actionplan.domain.cooperation import Answer
from pesnet.actionplan.domain.matching import Priority
from pesnet.actionplan.domain.results import Measure, Target, Value
from pesnet.shared.credentials import Actor
from pesnet.shared.i18n import Language, Localized

ReportFormat = Literal["html", "csv"]


# -- plans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatePlan:
    period: str
    title: Localized | None = None
    thematic_areas: list[tuple[str, Localized]] = field(default_factory=list)
    draft_meeting_id: str | None = None


@dataclass(frozen=True)
class AddThematicArea:
    period: str
    area_id: str
    title: Localized


@dataclass(frozen=True)
class AdoptPlan:
    period: str
    meeting_id: str
    adopted_on: date | None = None


@dataclass(frozen=True)
class ClosePlan:
    period: str


@dataclass(frozen=True)
class EraseExpiredEvidence:
    """Erase the evidence files of plans closed `retention_days` ago or more."""

    retention_days: int


@dataclass(frozen=True)
class RenderReport:
    period: str
    lang: Language
    format: ReportFormat


# -- the reference of institutions (registration's) -------------------------------------------


@dataclass(frozen=True)
class RecordInstitution:
    """Registration announced an institution of the reference, as it now stands."""

    institution_id: str
    name: Localized
    version: int
    acronym: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class RecordMeeting:
    """The agenda announced (or re-announced) a meeting."""

    meeting_id: str
    number: int
    title: Localized
    timezone: str
    city: Localized | None = None
    start_date: date | None = None
    end_date: date | None = None


# -- activities, indicators, progress ---------------------------------------------------------


@dataclass(frozen=True)
class AddActivity:
    period: str
    thematic_area: str
    activity_type: ActivityType
    title: Localized
    lead_institutions: list[str]
    summary: Localized | None = None
    participants: list[Participation] = field(default_factory=list)
    planned_start: date | None = None
    planned_end: date | None = None


@dataclass(frozen=True)
class ChangeActivityStatus:
    period: str
    activity_id: str
    actor: Actor
    status: ActivityStatus
    note: str | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    planned_start: date | None = None
    planned_end: date | None = None


@dataclass(frozen=True)
class AddIndicator:
    period: str
    title: Localized
    measure: Measure
    ascending: bool = True
    activity_id: str | None = None
    thematic_area: str | None = None
    baseline: Value | None = None
    baseline_year: int | None = None
    targets: list[Target] = field(default_factory=list)


@dataclass(frozen=True)
class ReportProgress:
    period: str
    actor: Actor
    indicator_id: str
    reporting_period: str
    actual_value: Value
    comment: str | None = None
    evidence_text: str | None = None
    evidence_url: str | None = None
    # (file name, bytes) of an uploaded file
    evidence_file: tuple[str, bytes] | None = None
    resubmits: str | None = None


@dataclass(frozen=True)
class ReadEvidence:
    period: str
    report_id: str
    actor: Actor


@dataclass(frozen=True)
class CommentOnDraft:
    period: str
    actor: Actor
    stance: Stance
    text: str
    thematic_area: str | None = None
    activity_id: str | None = None
    proposed_text: str | None = None
    needs: str | None = None
    capacities: str | None = None


@dataclass(frozen=True)
class AnswerComment:
    period: str
    comment_id: str
    outcome: Outcome
    reason: str


@dataclass(frozen=True)
class ValidateProgress:
    period: str
    report_id: str


@dataclass(frozen=True)
class ReturnProgress:
    period: str
    report_id: str
    comment: str


# -- focal points -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFocalPoint:
    """The action-plan officer's override: an interim focal point named here."""

    institution: str
    name: str
    email: str
    language: Language = Language.en
    country: str | None = None


@dataclass(frozen=True)
class RevokeFocalPoint:
    focal_point_id: str


@dataclass(frozen=True)
class RecordNomination:
    """Registration nominated a focal point (with the digest of their token)."""

    focal_point_id: str
    country: str
    token_digest: str
    nominated_at: datetime
    version: int
    institution: str | None = None
    name: str | None = None
    email: str | None = None
    language: Language = Language.en


@dataclass(frozen=True)
class RecordWithdrawal:
    """Registration withdrew a focal point's nomination."""

    focal_point_id: str
    country: str
    withdrawn_at: datetime
    version: int
    institution: str | None = None


# -- needs, offers, cooperation ---------------------------------------------------------------


@dataclass(frozen=True)
class SubmitNeed:
    period: str
    actor: Actor
    thematic_area: str
    priority: Priority
    title: Localized
    topics: list[str] = field(default_factory=list)
    formats: list[ActivityType] = field(default_factory=list)
    languages: list[Language] = field(default_factory=list)


@dataclass(frozen=True)
class SubmitOffer:
    period: str
    actor: Actor
    thematic_area: str
    title: Localized
    topics: list[str] = field(default_factory=list)
    formats: list[ActivityType] = field(default_factory=list)
    languages: list[Language] = field(default_factory=list)
    capacity: int = 1


@dataclass(frozen=True)
class RunMatching:
    period: str


@dataclass(frozen=True)
class ListProposals:
    actor: Actor
    period: str | None = None


@dataclass(frozen=True)
class AnswerProposal:
    proposal_id: str
    actor: Actor
    answer: Answer


# -- reminders --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendDueReminders:
    today: date
    horizon_days: int
