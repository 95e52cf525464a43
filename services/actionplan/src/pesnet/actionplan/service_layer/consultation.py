"""The consultation on a draft plan: a member state's delegation comments (by the
country of its focal point's credentials), the secretariat answers each comment, and the
adoption keeps what changed and why (`Plan.adopt`)."""

from __future__ import annotations

from pesnet.actionplan.domain.commands import AnswerComment, CommentOnDraft
from pesnet.actionplan.domain.consultation import DraftComment
from pesnet.actionplan.service_layer.plans import require_plan
from pesnet.actionplan.service_layer.ports import Clock
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import Forbidden
from pesnet.shared.events.actionplan import DraftCommentAnswered, DraftCommented
from pesnet.shared.translation import _


async def comment_on_draft(
    cmd: CommentOnDraft, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> DraftComment:
    """A delegation's comment: its country is its credentials' (a focal point's token or
    account); the secretariat, which speaks for no country, answers instead."""
    country = cmd.actor.country
    if country is None:
        raise Forbidden(_("a member state's delegation comments on the draft (its focal point)"))

    async def work(uow: ActionPlanUnitOfWork) -> DraftComment:
        plan = await require_plan(uow, cmd.period)
        comment = plan.comment_on_draft(
            country=country,
            institution=cmd.actor.institution,
            thematic_area=cmd.thematic_area,
            activity_id=cmd.activity_id,
            stance=cmd.stance,
            text=cmd.text,
            proposed_text=cmd.proposed_text,
            needs=cmd.needs,
            capacities=cmd.capacities,
            now=clock(),
        )
        await uow.plans.save(plan)
        uow.emit(
            DraftCommented(
                period=plan.period,
                comment_id=comment.id,
                country=comment.country,
                thematic_area=comment.thematic_area,
                activity_id=comment.activity_id,
                stance=comment.stance,
            ),
            subject=comment.id,
        )
        return comment

    return await uow.run(work)


async def answer_comment(
    cmd: AnswerComment, uow: ActionPlanUnitOfWork, *, clock: Clock = utcnow
) -> DraftComment:
    async def work(uow: ActionPlanUnitOfWork) -> DraftComment:
        plan = await require_plan(uow, cmd.period)
        comment = plan.answer_comment(cmd.comment_id, cmd.outcome, cmd.reason, now=clock())
        await uow.plans.save(plan)
        uow.emit(
            DraftCommentAnswered(
                period=plan.period,
                comment_id=comment.id,
                country=comment.country,
                outcome=cmd.outcome,
                reason=cmd.reason,
            ),
            subject=comment.id,
        )
        return comment

    return await uow.run(work)
