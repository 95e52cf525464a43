"""A head of delegation's page for the consultation on a draft plan (`/delegation`),
opened with the link registration signs for them on their registration's manage page
(`pesnet.shared.delegation_links`): no account, their member state is the link's. They
see the draft's thematic areas and activities, comment (the same command and use case
as a focal point's, as their country's delegation with no institution) and read their
delegation's comments with the secretariat's answers. A link works until it expires and
while its registration is its delegation's confirmed head (`service_layer/delegations`);
else the page says which of the two ended it, and takes nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from pesnet.actionplan.domain.commands import CommentOnDraft
from pesnet.actionplan.domain.delegations import Standing
from pesnet.actionplan.domain.plan import Plan
from pesnet.actionplan.entrypoints.dependencies import UoW
from pesnet.actionplan.entrypoints.pages.forms import comment_fields
from pesnet.actionplan.entrypoints.pages.rendering import (
    PERIOD,
    field_errors,
    page_settings,
    read_upload_form,
    render,
)
from pesnet.actionplan.entrypoints.pages.views import delegation_context
from pesnet.actionplan.service_layer import consultation, delegations, plans
from pesnet.shared.credentials import Actor
from pesnet.shared.envelope import utcnow
from pesnet.shared.errors import DomainError
from pesnet.shared.forms import check_csrf
from pesnet.shared.problems import request_language
from pesnet.shared.translation import N_

router = APIRouter(include_in_schema=False)
TokenQuery = Annotated[str, Query(max_length=300)]
PeriodQuery = Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{4}$")]
NOT_VALID = N_("This consultation link is not valid: open it again from your registration's page.")
EXPIRED = N_(
    "This consultation link has expired: open your registration's page again for a new one."
)
REVOKED = N_(
    "This consultation link no longer works: the registration it belongs to is no longer "
    "that of its delegation's confirmed head (withdrawn, refused or another role)."
)
# what the page says, and answers, when a link is refused
REFUSALS = {
    Standing.not_valid: (NOT_VALID, 404),  # as a forged certificate link: nothing is there
    Standing.expired: (EXPIRED, 410),
    Standing.revoked: (REVOKED, 403),
}


async def _delegation(request: Request, uow: UoW, token: str) -> Actor | Standing:
    """The delegation a link speaks for now, else why it does not."""
    links = page_settings(request).delegation_links
    standing, link = await delegations.standing(links, token, uow, now=utcnow())
    return link.actor if standing is Standing.speaks and link is not None else standing


async def _draft(uow: UoW, period: str | None) -> Plan | None:
    """The draft asked for, else the newest draft open for comments."""
    drafts = [p for p in await plans.list_plans(uow) if p.status == "draft"]
    if period is not None:
        return next((p for p in drafts if p.period == period), None)
    return drafts[-1] if drafts else None


async def _page(
    request: Request,
    uow: UoW,
    token: str,
    period: str | None,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    actor = await _delegation(request, uow, token)
    if isinstance(actor, Standing):
        refused, refused_status = REFUSALS[actor]
        return render(request, "delegation.html", {"refused": refused}, status_code=refused_status)
    context = await delegation_context(request, uow, actor, await _draft(uow, period))
    context.update(
        {
            "refused": None,
            "delegation_token": token,
            "errors": errors or {},
            "values": values or {},
            "failed_form": "comment" if errors else None,
        }
    )
    return render(request, "delegation.html", context, status_code=status_code)


@router.get("/delegation")
async def delegation_page(
    request: Request, uow: UoW, token: TokenQuery = "", period: PeriodQuery = None
) -> Response:
    return await _page(request, uow, token, period)


@router.post("/delegation/plans/{period}/consultation")
async def comment(period: str, request: Request, uow: UoW) -> Response:
    values, _ = await read_upload_form(request)
    check_csrf(request, values)
    token = values.get("token", "")
    actor = await _delegation(request, uow, token)
    if isinstance(actor, Standing) or not PERIOD.match(period):
        return await _page(request, uow, token, None)
    try:
        fields = comment_fields(values)
        await consultation.comment_on_draft(
            CommentOnDraft(period=period, actor=actor, **fields), uow
        )
    except DomainError as exc:
        errors = field_errors(request, exc)
        return await _page(
            request, uow, token, period, errors=errors, values=values, status_code=422
        )
    language = request_language(request).value
    back = f"/delegation?token={token}&period={period}&lang={language}#consultation"
    return RedirectResponse(back, 303)


__all__ = ["router"]
