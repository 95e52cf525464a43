"""Event handlers: the agenda's meetings, so that a plan names the meeting that adopted
it (or discussed its draft) in the report, not just its id; registration's reference of
institutions, so that institutions are shown by name; and registration's focal-point
nominations, which are the action plan's focal points."""

from __future__ import annotations

from pesnet.actionplan.domain.commands import (
    RecordInstitution,
    RecordMeeting,
    RecordNomination,
    RecordWithdrawal,
)
from pesnet.actionplan.service_layer.focal_points import record_nomination, record_withdrawal
from pesnet.actionplan.service_layer.institutions import record_institution
from pesnet.actionplan.service_layer.plans import record_meeting
from pesnet.actionplan.service_layer.unit_of_work import ActionPlanUnitOfWork
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.events.registration import (
    FocalPointNominated,
    FocalPointWithdrawn,
    InstitutionChanged,
    InstitutionRegistered,
    InstitutionRenamed,
)
from pesnet.shared.messaging import EventConsumer


async def meeting_scheduled(event: MeetingScheduled, uow: ActionPlanUnitOfWork) -> None:
    command = RecordMeeting(
        meeting_id=event.meeting_id,
        number=event.number,
        title=event.title,
        timezone=event.timezone,
        city=event.city,
        start_date=event.start_date,
        end_date=event.end_date,
    )
    await record_meeting(command, uow)


async def institution_changed(event: InstitutionChanged, uow: ActionPlanUnitOfWork) -> None:
    command = RecordInstitution(
        institution_id=event.institution_id,
        name=event.name,
        acronym=event.acronym,
        country=event.country,
        version=event.version,
    )
    await record_institution(command, uow)


async def focal_point_nominated(event: FocalPointNominated, uow: ActionPlanUnitOfWork) -> None:
    command = RecordNomination(
        focal_point_id=event.focal_point_id,
        country=event.country,
        institution=event.institution_id,
        name=event.name,
        email=event.email,
        language=event.language,
        token_digest=event.token_digest,
        nominated_at=event.nominated_at,
        version=event.version,
    )
    await record_nomination(command, uow)


async def focal_point_withdrawn(event: FocalPointWithdrawn, uow: ActionPlanUnitOfWork) -> None:
    command = RecordWithdrawal(
        focal_point_id=event.focal_point_id,
        country=event.country,
        institution=event.institution_id,
        withdrawn_at=event.withdrawn_at,
        version=event.version,
    )
    await record_withdrawal(command, uow)


def register(consumer: EventConsumer) -> None:
    consumer.on(MeetingScheduled)(meeting_scheduled)
    consumer.on(InstitutionRegistered, InstitutionRenamed)(institution_changed)
    consumer.on(FocalPointNominated)(focal_point_nominated)
    consumer.on(FocalPointWithdrawn)(focal_point_withdrawn)
