"""The consultation on a draft plan: while a plan is a draft, each member state's
delegation (its focal point or head of delegation, by the country of their credentials)
comments on a thematic area or an activity of it: it supports it, proposes an amendment
(with the text it proposes) or objects, and says its own needs and capacities. The
secretariat answers each comment: taken, partly taken or not, with its reason. A plan
is adopted once every comment has its answer, and keeps the record of what changed and
why (`ConsultationRecord`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pesnet.actionplan.domain.entity import Entity, new_id
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.translation import _

Stance = Literal["support", "amend", "object"]
Outcome = Literal["taken", "partly", "not"]
STANCES: tuple[Stance, ...] = ("support", "amend", "object")
OUTCOMES: tuple[Outcome, ...] = ("taken", "partly", "not")


class CommentAnswer(Entity):
    outcome: Outcome
    reason: str
    answered_at: datetime


class DraftComment(Entity):
    id: str
    country: str
    # the institution of the focal point who wrote it (None: a head of delegation)
    institution: str | None = None
    thematic_area: str | None = None
    activity_id: str | None = None
    stance: Stance
    text: str
    proposed_text: str | None = None
    needs: str | None = None
    capacities: str | None = None
    # seed data the sources give no words for
    illustrative: bool = False
    submitted_at: datetime
    answer: CommentAnswer | None = None

    def answer_with(self, outcome: Outcome, reason: str, *, now: datetime) -> None:
        if self.answer is not None:
            raise Conflict(_("this comment is already answered"))
        if not reason.strip():
            raise InvalidInput(_("say why"), field="reason")
        self.answer = CommentAnswer(outcome=outcome, reason=reason, answered_at=now)


class RecordedChange(Entity):
    """One answered comment as the adopted plan keeps it: what was asked, what was done."""

    comment_id: str
    country: str
    thematic_area: str | None = None
    activity_id: str | None = None
    stance: Stance
    proposed_text: str | None = None
    outcome: Outcome
    reason: str


def new_comment(
    *,
    country: str,
    institution: str | None,
    thematic_area: str | None,
    activity_id: str | None,
    stance: Stance,
    text: str,
    proposed_text: str | None,
    needs: str | None,
    capacities: str | None,
    now: datetime,
    illustrative: bool = False,
) -> DraftComment:
    if thematic_area is None and activity_id is None:
        raise InvalidInput(
            _("a comment is on a thematic area or an activity: choose one"),
            field="thematic_area",
        )
    if stance == "amend" and not (proposed_text or "").strip():
        raise InvalidInput(_("an amendment gives the text it proposes"), field="proposed_text")
    if not text.strip():
        raise InvalidInput(_("write the delegation's comment"), field="text")
    return DraftComment(
        id=new_id("cmt"),
        country=country,
        institution=institution,
        thematic_area=thematic_area,
        activity_id=activity_id,
        stance=stance,
        text=text,
        proposed_text=proposed_text if stance == "amend" else None,
        needs=needs or None,
        capacities=capacities or None,
        illustrative=illustrative,
        submitted_at=now,
    )


def find_comment(comments: list[DraftComment], comment_id: str) -> DraftComment:
    for comment in comments:
        if comment.id == comment_id:
            return comment
    raise NotFound(_("no comment {id} on this plan"), params={"id": comment_id})


def require_answered(comments: list[DraftComment]) -> None:
    """A plan is adopted once the secretariat has answered every comment on its draft."""
    waiting = sum(1 for c in comments if c.answer is None)
    if waiting:
        raise Conflict(
            _("{count} comments of the consultation are not answered yet"),
            params={"count": waiting},
        )


def record_of(comments: list[DraftComment]) -> list[RecordedChange]:
    return [
        RecordedChange(
            comment_id=c.id,
            country=c.country,
            thematic_area=c.thematic_area,
            activity_id=c.activity_id,
            stance=c.stance,
            proposed_text=c.proposed_text,
            outcome=c.answer.outcome,
            reason=c.answer.reason,
        )
        for c in comments
        if c.answer is not None
    ]


def outcome_counts(comments: list[DraftComment]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
    for comment in comments:
        if comment.answer is not None:
            counts[comment.answer.outcome] += 1
    return counts
