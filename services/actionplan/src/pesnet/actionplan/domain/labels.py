"""The action plan's own vocabularies (activity types, plan statuses, indicator states,
priorities) as terms of its gettext catalog, and its words composed in the three
languages (`said`)."""

from __future__ import annotations

from pesnet.shared import terms
from pesnet.shared.translation import NC_, Term, Wording

PACKAGE = "pesnet.actionplan"
WORDING = Wording(PACKAGE)
said = WORDING.said

ACTIVITY_TYPES: dict[str, Term] = {
    "training_programme": NC_("activity type", "Training programme", PACKAGE),
    "workshop": NC_("activity type", "Workshop", PACKAGE),
    "webinar": NC_("activity type", "Webinar", PACKAGE),
    "study_visit": NC_("activity type", "Study visit", PACKAGE),
    "expert_exchange": NC_("activity type", "Expert exchange", PACKAGE),
    "study_report": NC_("activity type", "Study / report", PACKAGE),
    "peer_learning": NC_("activity type", "Peer learning", PACKAGE),
}

# the contract's activity statuses are the kernel's terms (a report says them as the
# errors do); a plan's statuses are this service's own vocabulary, in its catalog
ACTIVITY_STATUSES: dict[str, Term] = {str(k): v for k, v in terms.ACTIVITY_STATUSES.items()}

PLAN_STATUSES: dict[str, Term] = {
    "draft": NC_("plan status", "Draft", PACKAGE),
    "adopted": NC_("plan status", "Adopted", PACKAGE),
    "closed": NC_("plan status", "Closed", PACKAGE),
}

INDICATOR_STATES: dict[str, Term] = {
    "on_track": NC_("indicator state", "On track", PACKAGE),
    "off_track": NC_("indicator state", "Off track", PACKAGE),
    "no_data": NC_("indicator state", "No data", PACKAGE),
    "no_target": NC_("indicator state", "No target", PACKAGE),
    "reported": NC_("indicator state", "Reported", PACKAGE),
}

# a need's priority, said inside a sentence ("high priority")
PRIORITIES: dict[str, Term] = {
    "high": NC_("priority", "high", PACKAGE),
    "medium": NC_("priority", "medium", PACKAGE),
    "low": NC_("priority", "low", PACKAGE),
}

REPORT_STATUSES: dict[str, Term] = {
    "submitted": NC_("report status", "Awaiting review", PACKAGE),
    "validated": NC_("report status", "Validated", PACKAGE),
    "returned": NC_("report status", "Returned for revision", PACKAGE),
}

# a delegation's position on a part of a draft plan, and the secretariat's answer
STANCES: dict[str, Term] = {
    "support": NC_("stance", "Support", PACKAGE),
    "amend": NC_("stance", "Amend", PACKAGE),
    "object": NC_("stance", "Object", PACKAGE),
}

OUTCOMES: dict[str, Term] = {
    "taken": NC_("comment outcome", "Taken into account", PACKAGE),
    "partly": NC_("comment outcome", "Partly taken into account", PACKAGE),
    "not": NC_("comment outcome", "Not taken into account", PACKAGE),
}
