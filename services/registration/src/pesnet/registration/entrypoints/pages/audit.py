"""Registration's audit page (the kernel's `/staff/audit`): whom an entry concerns is
named while the registration exists, "purged" once its data is erased."""

from __future__ import annotations

from fastapi import APIRouter, Request

from pesnet.registration.entrypoints.pages.rendering import PACKAGE, page_settings
from pesnet.shared.audit import AuditEntry
from pesnet.shared.staff_pages import AuditNames, StaffPages, audit_pages
from pesnet.shared.translation import N_

# the actions whose subject is a person's registration
PERSONAL_ACTIONS = ("participant.", "registration.", "badge.", "check_in")
staff = StaffPages(PACKAGE, secure_cookies=lambda r: page_settings(r).secure_cookies)


def _names(request: Request) -> AuditNames:
    deps = request.app.state.dependencies

    async def subject(entry: AuditEntry) -> str | None:
        if not entry.subject or not entry.action.startswith(PERSONAL_ACTIONS):
            return None
        registration = await deps.unit_of_work().registrations.get(entry.subject)
        if registration is None or not registration.given_name:
            return staff.say(request, N_("{id} (purged)"), {"id": entry.subject})
        return f"{registration.given_name} {registration.family_name or ''}".strip()

    return AuditNames(subject)


router: APIRouter = audit_pages(staff, _names)
