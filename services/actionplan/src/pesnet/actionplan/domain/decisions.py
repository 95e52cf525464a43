"""What the meetings decided, as far as the action plan needs it: the projection of each
meeting's published final communiqué (its numbered decisions and recommendations) and
the links from a decision to the plan activities that carry it out, so that the next
meeting opens with "what did we decide last time, and what happened"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pesnet.actionplan.domain.activities import Activity
from pesnet.shared.errors import Conflict, NotFound
from pesnet.shared.i18n import Localized
from pesnet.shared.translation import _


class LinkedActivity(BaseModel):
    model_config = ConfigDict(frozen=True)

    period: str
    activity_id: str


class Decision(BaseModel):
    """A paragraph of a published communiqué and the activities linked to it."""

    model_config = ConfigDict(frozen=True)

    paragraph_id: str
    number: int
    kind: Literal["decision", "recommendation"]
    text: Localized
    illustrative: bool = False
    activities: tuple[LinkedActivity, ...] = ()


class MeetingOutcome(BaseModel):
    """A meeting's published communiqué (the newest publication kept)."""

    model_config = ConfigDict(frozen=True)

    meeting_id: str
    meeting_number: int
    adopted_at: datetime
    published_at: datetime
    decisions: tuple[Decision, ...] = ()

    def republished(self, newer: MeetingOutcome) -> MeetingOutcome:
        """`newer` as published, keeping the links of the paragraphs it still has (an
        older publication arriving late changes nothing)."""
        if newer.published_at < self.published_at:
            return self
        links = {d.paragraph_id: d.activities for d in self.decisions}
        return newer.model_copy(
            update={
                "decisions": tuple(
                    d.model_copy(update={"activities": links.get(d.paragraph_id, ())})
                    for d in newer.decisions
                )
            }
        )

    def decision(self, paragraph_id: str) -> Decision:
        for d in self.decisions:
            if d.paragraph_id == paragraph_id:
                return d
        raise NotFound(
            _("the communiqué of meeting {meeting} has no paragraph {paragraph}"),
            field="paragraph_id",
            params={"meeting": self.meeting_id, "paragraph": paragraph_id},
        )

    def _with(self, paragraph_id: str, activities: tuple[LinkedActivity, ...]) -> MeetingOutcome:
        return self.model_copy(
            update={
                "decisions": tuple(
                    d.model_copy(update={"activities": activities})
                    if d.paragraph_id == paragraph_id
                    else d
                    for d in self.decisions
                )
            }
        )

    def link(self, paragraph_id: str, activity: LinkedActivity) -> MeetingOutcome:
        decision = self.decision(paragraph_id)
        if activity in decision.activities:
            raise Conflict(
                _("this activity is linked to the decision already"), field="activity_id"
            )
        return self._with(paragraph_id, (*decision.activities, activity))

    def unlink(self, paragraph_id: str, activity: LinkedActivity) -> MeetingOutcome:
        decision = self.decision(paragraph_id)
        if activity not in decision.activities:
            raise NotFound(_("this activity is not linked to the decision"), field="activity_id")
        return self._with(paragraph_id, tuple(a for a in decision.activities if a != activity))


# what happened to a decision (the queries' answer) ----------------------------------------
@dataclass(frozen=True)
class DecisionActivity:
    period: str
    activity_id: str
    activity: Activity | None  # None: the plan no longer has it


@dataclass(frozen=True)
class DecisionState:
    """A decision of a meeting and the state of the activities that carry it out."""

    meeting_id: str
    meeting_number: int
    decision: Decision
    activities: list[DecisionActivity]


# commands (kept beside the projection: the decisions are their own seam) ----------------
@dataclass(frozen=True)
class RecordCommunique:
    outcome: MeetingOutcome


@dataclass(frozen=True)
class LinkDecision:
    meeting_id: str
    paragraph_id: str
    activity: LinkedActivity


@dataclass(frozen=True)
class UnlinkDecision(LinkDecision):
    pass
