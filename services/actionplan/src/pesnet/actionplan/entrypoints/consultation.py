"""HTTP API of the consultation on a draft plan, and of the files kept as evidence of
progress reports. The consultation is public (member states' positions, never a
person); a delegation comments with its focal point's credentials; the action-plan
officer answers. A file is served to the officer and the reporting institution only."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Response
from pydantic import Field

from pesnet.actionplan.domain.commands import AnswerComment, CommentOnDraft, ReadEvidence
from pesnet.actionplan.domain.consultation import DraftComment, Outcome, Stance
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.entrypoints.dependencies import UoW
from pesnet.actionplan.entrypoints.http import (
    ActionPlanOfficer,
    Body,
    FocalPoint,
    FocalPointOrOfficer,
)
from pesnet.actionplan.service_layer import activities, consultation, plans
from pesnet.shared.text import CleanParagraph

router = APIRouter(tags=["consultation on a draft plan"])
Paragraph = Annotated[CleanParagraph, Field(min_length=1, max_length=4000)]


class CommentIn(Body):
    thematic_area: str | None = Field(default=None, max_length=64)
    activity_id: str | None = Field(default=None, max_length=64)
    stance: Stance
    text: Paragraph
    proposed_text: Paragraph | None = None
    needs: Paragraph | None = None
    capacities: Paragraph | None = None


class CommentAnswerIn(Body):
    outcome: Outcome
    reason: Paragraph


def comment_view(comment: DraftComment) -> dict[str, Any]:
    return comment.model_dump(mode="json")


def consultation_view(plan: Plan) -> dict[str, Any]:
    """The comments, and the same grouped by thematic area and by country."""
    comments = [comment_view(c) for c in plan.consultation]
    by_area: dict[str, list[str]] = {}
    by_country: dict[str, list[str]] = {}
    for comment in plan.consultation:
        by_area.setdefault(comment.thematic_area or "", []).append(comment.id)
        by_country.setdefault(comment.country, []).append(comment.id)
    return {
        "period": plan.period,
        "status": plan.status,
        "comments": comments,
        "by_thematic_area": by_area,
        "by_country": by_country,
        "answered": sum(1 for c in plan.consultation if c.answer is not None),
        "adoption_record": [r.model_dump(mode="json") for r in plan.adoption_record],
    }


@router.get("/plans/{period}/consultation")
async def get_consultation(period: str, uow: UoW) -> dict[str, Any]:
    """The comments of member states on the draft with the secretariat's answers, and,
    once adopted, the record of what changed and why."""
    return consultation_view((await plans.plan_details(period, uow)).plan)


@router.post("/plans/{period}/consultation", status_code=201)
async def comment(period: str, body: CommentIn, uow: UoW, actor: FocalPoint) -> dict[str, Any]:
    command = CommentOnDraft(
        period=period,
        actor=actor,
        stance=body.stance,
        text=body.text,
        thematic_area=body.thematic_area,
        activity_id=body.activity_id,
        proposed_text=body.proposed_text,
        needs=body.needs,
        capacities=body.capacities,
    )
    return comment_view(await consultation.comment_on_draft(command, uow))


@router.post("/plans/{period}/consultation/{comment_id}/answer", dependencies=[ActionPlanOfficer])
async def answer(period: str, comment_id: str, body: CommentAnswerIn, uow: UoW) -> dict[str, Any]:
    command = AnswerComment(period, comment_id, body.outcome, body.reason)
    return comment_view(await consultation.answer_comment(command, uow))


@router.get("/plans/{period}/progress/{report_id}/evidence")
async def evidence(period: str, report_id: str, uow: UoW, actor: FocalPointOrOfficer) -> Response:
    """The file of a report, as an attachment (never shown inline: it is what a person
    uploaded)."""
    stored = await activities.read_evidence(ReadEvidence(period, report_id, actor), uow)
    return Response(
        stored.data,
        media_type=stored.content_type,
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(stored.filename)}",
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
        },
    )
