"""A plan's results framework (after the IATI activity standard's results model):
indicators with their baseline and a target per reporting period, and the progress
reports the lead institutions' focal points submit and the secretariat validates or
returns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pesnet.actionplan.domain.entity import Entity
from pesnet.actionplan.domain.evidence import Evidence
from pesnet.actionplan.domain.periods import reporting_periods
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.events.common import Contact
from pesnet.shared.i18n import Localized
from pesnet.shared.translation import _

Measure = Literal["number", "percentage", "qualitative"]
ReportStatus = Literal["submitted", "validated", "returned"]
Value = float | str
# what a second review of a report is told
REVIEWED: dict[str, str] = {
    "validated": _("the report is already validated"),
    "returned": _("the report was already returned for revision"),
}


class Target(Entity):
    reporting_period: str
    value: float


class Indicator(Entity):
    id: str
    title: Localized
    thematic_area: str
    activity_id: str | None = None
    measure: Measure
    ascending: bool = True
    baseline: Value | None = None
    baseline_year: int | None = None
    targets: list[Target] = []

    def target_for(self, reporting_period: str) -> float | None:
        for target in self.targets:
            if target.reporting_period == reporting_period:
                return target.value
        return None


class ProgressReport(Entity):
    id: str
    indicator_id: str
    activity_id: str | None = None
    reporting_period: str
    actual_value: Value
    comment: str | None = None
    institution: str
    reporter: Contact
    status: ReportStatus = "submitted"
    submitted_at: datetime
    reviewed_at: datetime | None = None
    review_comment: str | None = None
    evidence: Evidence | None = None
    # the returned report this one answers (a resubmission)
    resubmits: str | None = None
    # the id of the report that answered this one, once it was returned and resubmitted
    resubmitted_as: str | None = None

    def mark_validated(self, *, now: datetime) -> None:
        self._require_submitted()
        self.status = "validated"
        self.reviewed_at = now

    def return_for_revision(self, comment: str, *, now: datetime) -> None:
        """Returned for revision, saying why."""
        self._require_submitted()
        if not comment.strip():
            raise InvalidInput(_("say why the report goes back"), field="comment")
        self.status = "returned"
        self.reviewed_at = now
        self.review_comment = comment

    def _require_submitted(self) -> None:
        if self.status != "submitted":
            raise Conflict(REVIEWED[self.status])


def check_value(measure: Measure, value: Value | None, field: str) -> None:
    if value is None:
        return
    if measure == "qualitative":
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(_("a qualitative indicator takes a text"), field=field)
        return
    if isinstance(value, str):
        raise InvalidInput(_("this indicator takes a number"), field=field)
    if measure == "percentage" and not 0 <= value <= 100:
        raise InvalidInput(_("a percentage is between 0 and 100"), field=field)
    if measure == "number" and value < 0:
        raise InvalidInput(_("a count is not negative"), field=field)


def check_reporting_period(period: str, reporting_period: str, field: str) -> None:
    """`reporting_period` is one of the plan of `period`'s."""
    allowed = reporting_periods(period)
    if reporting_period not in allowed:
        raise InvalidInput(
            _("reporting periods of the {period} plan are {periods}"),
            field=field,
            params={"period": period, "periods": ", ".join(allowed)},
        )


def check_targets(period: str, measure: Measure, targets: list[Target]) -> None:
    """One numeric target per reporting period of the plan (none for a qualitative
    indicator)."""
    if measure == "qualitative" and targets:
        raise InvalidInput(
            _(
                "a qualitative indicator has no numeric targets (IATI: targets are for "
                "quantitative measures)"
            ),
            field="targets",
        )
    seen: set[str] = set()
    for i, target in enumerate(targets):
        field = f"targets.{i}.reporting_period"
        check_reporting_period(period, target.reporting_period, field)
        if target.reporting_period in seen:
            raise InvalidInput(_("one target per reporting period"), field=field)
        seen.add(target.reporting_period)
        check_value(measure, target.value, f"targets.{i}.value")


def returned_report(
    progress: list[ProgressReport], report_id: str | None, indicator_id: str, institution: str
) -> ProgressReport | None:
    """The returned report a resubmission answers (of the same indicator and institution,
    answered once); None for a first report."""
    if report_id is None:
        return None
    found = next((r for r in progress if r.id == report_id), None)
    if (
        found is None
        or found.institution != institution
        or found.indicator_id != indicator_id
        or found.status != "returned"
        or found.resubmitted_as is not None
    ):
        raise InvalidInput(
            _("only a report returned to your institution, not yet resubmitted, is resubmitted"),
            field="resubmits",
        )
    return found
