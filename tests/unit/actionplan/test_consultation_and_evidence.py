"""The consultation on a draft plan and the evidence of progress reports, through their
use cases on the in-memory unit of work: a delegation comments by its country, the
secretariat answers, adoption waits for every answer and keeps the record; a report
keeps its file (bounded, typed) for the institution and the secretariat only, and a
returned report is answered by its resubmission."""

from __future__ import annotations

import pytest

from pesnet.actionplan.domain.commands import (
    AddActivity,
    AdoptPlan,
    AnswerComment,
    CommentOnDraft,
    ReadEvidence,
    ReportProgress,
    ReturnProgress,
    ValidateProgress,
)
from pesnet.actionplan.domain.evidence import MAX_EVIDENCE_BYTES
from pesnet.actionplan.service_layer import activities, consultation, plans
from pesnet.shared.credentials import SECRETARIAT
from pesnet.shared.errors import Conflict, Forbidden, InvalidInput
from pesnet.shared.events.actionplan import (
    DraftCommentAnswered,
    DraftCommented,
    PlanAdopted,
    ProgressReported,
)
from tests.unit.actionplan.fakes import FakeActionPlanUnitOfWork, FakeEvidence
from tests.unit.actionplan.scenario import (
    PERIOD,
    adopted_plan,
    clock,
    draft_plan,
    focal_point,
    text,
)

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


async def _draft_with_activity(uow: FakeActionPlanUnitOfWork) -> str:
    await draft_plan(uow)
    activity = await activities.add_activity(
        AddActivity(
            period=PERIOD,
            thematic_area="digital",
            activity_type="webinar",
            title=text("Webinar on job-matching"),
            lead_institutions=["anapec"],
            participants=[],
            planned_start=None,
            planned_end=None,
        ),
        uow,
        clock=clock,
    )
    return activity.id


async def test_a_delegation_comments_the_secretariat_answers_and_adoption_keeps_the_record() -> (
    None
):
    uow = FakeActionPlanUnitOfWork()
    activity_id = await _draft_with_activity(uow)
    turkey = await focal_point(uow, "iskur")
    comment = await consultation.comment_on_draft(
        CommentOnDraft(
            PERIOD,
            turkey,
            stance="amend",
            text="Open it to vocational schools",
            activity_id=activity_id,
            proposed_text="Webinar on job-matching for PES and vocational schools",
            needs="Labour market information",
        ),
        uow,
        clock=clock,
    )
    assert (comment.country, comment.thematic_area) == ("TUR", "digital")
    [commented] = uow.events(DraftCommented)
    assert isinstance(commented, DraftCommented)
    assert (commented.country, commented.stance) == ("TUR", "amend")

    with pytest.raises(Conflict):
        await plans.adopt_plan(AdoptPlan(PERIOD, "pesnet-4"), uow, clock=clock)

    answered = await consultation.answer_comment(
        AnswerComment(PERIOD, comment.id, "partly", "Vocational schools join as observers"),
        uow,
        clock=clock,
    )
    assert answered.answer is not None
    assert answered.answer.outcome == "partly"
    assert len(uow.events(DraftCommentAnswered)) == 1
    with pytest.raises(Conflict):
        await consultation.answer_comment(
            AnswerComment(PERIOD, comment.id, "taken", "again"), uow, clock=clock
        )

    plan = await plans.adopt_plan(AdoptPlan(PERIOD, "pesnet-4"), uow, clock=clock)
    [record] = plan.adoption_record
    assert (record.country, record.outcome, record.reason) == (
        "TUR",
        "partly",
        "Vocational schools join as observers",
    )
    assert record.proposed_text is not None
    [adopted] = uow.events(PlanAdopted)
    assert isinstance(adopted, PlanAdopted)
    assert adopted.consultation["partly"] == 1
    with pytest.raises(Conflict):
        await consultation.comment_on_draft(
            CommentOnDraft(PERIOD, turkey, stance="support", text="late", thematic_area="digital"),
            uow,
        )


async def test_a_comment_is_refused_at_its_field() -> None:
    uow = FakeActionPlanUnitOfWork()
    await _draft_with_activity(uow)
    morocco = await focal_point(uow, "anapec")
    with pytest.raises(InvalidInput) as amend:
        await consultation.comment_on_draft(
            CommentOnDraft(PERIOD, morocco, stance="amend", text="x", thematic_area="digital"), uow
        )
    assert amend.value.field == "proposed_text"
    with pytest.raises(InvalidInput) as area:
        await consultation.comment_on_draft(
            CommentOnDraft(PERIOD, morocco, stance="support", text="x", thematic_area="nope"), uow
        )
    assert area.value.field == "thematic_area"
    with pytest.raises(Forbidden):
        await consultation.comment_on_draft(
            CommentOnDraft(
                PERIOD, SECRETARIAT, stance="support", text="x", thematic_area="digital"
            ),
            uow,
        )
    assert (await plans.require_plan(uow, PERIOD)).consultation == []


async def test_a_report_keeps_its_file_for_its_institution_and_the_secretariat() -> None:
    uow = FakeActionPlanUnitOfWork()
    _, indicator_id = await adopted_plan(uow)
    anapec = await focal_point(uow, "anapec")
    report = await activities.report_progress(
        ReportProgress(
            PERIOD,
            anapec,
            indicator_id,
            "2024",
            12,
            evidence_text="Attendance list",
            evidence_url="https://anapec.example/workshop",
            evidence_file=("attendance.pdf", PDF),
        ),
        uow,
        clock=clock,
    )
    assert report.evidence is not None
    assert report.evidence.file is not None
    assert report.evidence.file.size == len(PDF)
    [reported] = uow.events(ProgressReported)
    assert isinstance(reported, ProgressReported)
    assert reported.evidence_file
    stored = await activities.read_evidence(ReadEvidence(PERIOD, report.id, anapec), uow)
    assert stored.data == PDF
    assert (await activities.read_evidence(ReadEvidence(PERIOD, report.id, SECRETARIAT), uow)).data
    iskur = await focal_point(uow, "iskur")
    with pytest.raises(Forbidden):
        await activities.read_evidence(ReadEvidence(PERIOD, report.id, iskur), uow)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("run.exe", b"MZ\x90\x00"),
        ("renamed.pdf", b"MZ\x90\x00 not a pdf"),
        ("large.pdf", b"%PDF-" + b"0" * MAX_EVIDENCE_BYTES),
        ("empty.png", b""),
    ],
)
async def test_a_file_of_the_wrong_type_or_size_is_refused_at_its_field(
    name: str, data: bytes
) -> None:
    uow = FakeActionPlanUnitOfWork()
    _, indicator_id = await adopted_plan(uow)
    anapec = await focal_point(uow, "anapec")
    with pytest.raises(InvalidInput) as refused:
        await activities.report_progress(
            ReportProgress(PERIOD, anapec, indicator_id, "2024", 12, evidence_file=(name, data)),
            uow,
        )
    assert refused.value.field == "evidence_file"
    assert (await plans.require_plan(uow, PERIOD)).progress == []
    assert isinstance(uow.evidence, FakeEvidence)
    assert uow.evidence.files == {}


async def test_a_returned_report_is_resubmitted_once_and_then_validated() -> None:
    uow = FakeActionPlanUnitOfWork()
    _, indicator_id = await adopted_plan(uow)
    anapec = await focal_point(uow, "anapec")
    first = await activities.report_progress(
        ReportProgress(PERIOD, anapec, indicator_id, "2024", 12, evidence_file=("a.pdf", PDF)),
        uow,
        clock=clock,
    )
    with pytest.raises(InvalidInput):  # not returned: nothing to resubmit
        await activities.report_progress(
            ReportProgress(PERIOD, anapec, indicator_id, "2024", 14, resubmits=first.id), uow
        )
    await activities.return_progress(ReturnProgress(PERIOD, first.id, "Add the list"), uow)
    second = await activities.report_progress(
        ReportProgress(PERIOD, anapec, indicator_id, "2024", 14, resubmits=first.id),
        uow,
        clock=clock,
    )
    # the resubmission without a new file keeps the file of the report it answers
    kept = await activities.read_evidence(ReadEvidence(PERIOD, second.id, anapec), uow)
    assert kept.data == PDF
    plan = await plans.require_plan(uow, PERIOD)
    assert plan.report(first.id).resubmitted_as == second.id
    assert second.resubmits == first.id
    with pytest.raises(InvalidInput) as twice:
        await activities.report_progress(
            ReportProgress(PERIOD, anapec, indicator_id, "2024", 15, resubmits=first.id), uow
        )
    assert twice.value.field == "resubmits"
    validated = await activities.validate_progress(ValidateProgress(PERIOD, second.id), uow)
    assert validated.status == "validated"
