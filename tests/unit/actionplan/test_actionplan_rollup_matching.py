"""Roll-up of progress, and the matching rules on small cases a reader can check by eye."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pesnet.actionplan.domain.cooperation import Proposal, commitments
from pesnet.actionplan.domain.matching import Need, Offer, match, score_pair
from pesnet.actionplan.domain.plan import Plan, ThematicArea
from pesnet.actionplan.domain.results import Target
from pesnet.actionplan.domain.rollup import area_rollups, indicator_progress, plan_rollup
from pesnet.shared.errors import Conflict, Forbidden
from pesnet.shared.events.common import Contact
from pesnet.shared.i18n import Localized

NOW = datetime(2025, 1, 15, tzinfo=UTC)
FP = Contact(name="FP", email="fp@example.org")


def text(en: str) -> Localized:
    return Localized(ar=f"ع {en}", en=en, fr=f"fr {en}")


def plan_with_indicators() -> Plan:
    plan = Plan.draft("2024-2026", title=None, now=NOW)
    plan.add_thematic_area("youth", text("Youth employment"))
    plan.add_thematic_area("lmi", text("Labour-market information"))
    for i, area in enumerate(("youth", "youth", "lmi")):
        plan.add_activity(
            activity_id=f"a{i}",
            thematic_area=area,
            activity_type="workshop",
            title=text(f"Activity {i}"),
            summary=None,
            lead_institutions=["anapec"],
            participants=[],
            planned_start=date(2024, 5, 1),
            planned_end=None,
            now=NOW,
        )
    common = {"baseline": None, "baseline_year": None, "thematic_area": None}
    # ascending, met: 25 against 20
    plan.add_indicator(indicator_id="up", title=text("Trained"), measure="number", ascending=True,
                       activity_id="a0", targets=[Target(reporting_period="2024", value=20)], **common)  # fmt: skip
    # descending, missed: 14 days to a placement against at most 10
    plan.add_indicator(indicator_id="down", title=text("Days to placement"), measure="number",
                       ascending=False, activity_id="a1",
                       targets=[Target(reporting_period="2024", value=10)], **common)  # fmt: skip
    # targets, but nothing validated yet
    plan.add_indicator(indicator_id="silent", title=text("Share online"), measure="percentage",
                       ascending=True, activity_id="a2",
                       targets=[Target(reporting_period="2024", value=50)], **common)  # fmt: skip
    plan.add_indicator(indicator_id="story", title=text("Lessons learnt"), measure="qualitative",
                       ascending=True, activity_id="a2", targets=[], **common)  # fmt: skip
    plan.adopt("pesnet-4", at=NOW)
    for indicator_id, value in (("up", 25), ("down", 14), ("story", "Peer reviews work")):
        report = plan.report_progress(indicator_id=indicator_id, reporting_period="2024",
                                      actual_value=value, comment=None, institution="anapec",
                                      reporter=FP, now=NOW)  # fmt: skip
        plan.validate_report(report.id, now=NOW)
    # a submitted but unvalidated report does not count
    plan.report_progress(indicator_id="silent", reporting_period="2024", actual_value=90,
                         comment=None, institution="anapec", reporter=FP, now=NOW)  # fmt: skip
    plan.change_activity_status("a0", "ongoing", now=NOW)
    plan.change_activity_status("a0", "completed", now=NOW)
    plan.change_activity_status("a2", "cancelled", now=NOW)
    return plan


def test_indicator_states_follow_validated_values_against_targets() -> None:
    plan = plan_with_indicators()
    states = {i.id: indicator_progress(plan, i).state for i in plan.indicators}
    assert states == {
        "up": "on_track",
        "down": "off_track",
        "silent": "no_data",
        "story": "reported",
    }


def test_rollup_per_area_and_plan() -> None:
    plan = plan_with_indicators()
    overall = plan_rollup(plan)
    # 3 quantitative indicators with targets, 1 on track: silence counts against
    assert (overall.indicators_with_targets, overall.on_track, overall.share_on_track) == (
        3,
        1,
        0.3333,
    )
    # 3 activities, 1 cancelled: 1 of the 2 others completed
    assert (overall.activities_completed, overall.share_activities_completed) == (1, 0.5)
    youth, lmi = area_rollups(plan)
    assert (youth.thematic_area, youth.share_on_track, youth.share_activities_completed) == (
        "youth",
        0.5,
        0.5,
    )
    assert (lmi.share_on_track, lmi.share_activities_completed) == (0.0, None)


AREAS = [ThematicArea(id="digital", title=text("Digitalisation of PES"))]


def need(nid: str, institution: str, priority: str = "high", topics: tuple[str, ...] = ("job matching",),
         area: str = "digital") -> Need:  # fmt: skip
    return Need.model_validate({
        "id": nid, "period": "2024-2026", "institution": institution, "thematic_area": area,
        "priority": priority, "title": {"en": f"need {nid}"}, "topics": list(topics),
        "languages": ["fr"], "submitted_at": NOW,
    })  # fmt: skip


def offer(
    oid: str, institution: str, capacity: int = 1, topics: tuple[str, ...] = ("job matching",)
) -> Offer:
    return Offer.model_validate({
        "id": oid, "period": "2024-2026", "institution": institution, "thematic_area": "digital",
        "title": {"en": f"offer {oid}", "fr": f"offre {oid}", "ar": f"عرض {oid}"},
        "topics": list(topics), "languages": ["fr", "ar"], "capacity": capacity, "submitted_at": NOW,
    })  # fmt: skip


def test_an_institution_is_never_matched_with_itself() -> None:
    assert score_pair(need("n1", "anapec"), offer("o1", "anapec")) is None
    assert match([need("n1", "anapec")], [offer("o1", "anapec")], AREAS) == []


def test_no_match_across_areas_or_without_a_shared_topic() -> None:
    assert score_pair(need("n1", "iskur", area="youth"), offer("o1", "anapec")) is None
    assert (
        score_pair(need("n1", "iskur", topics=("career guidance",)), offer("o1", "anapec")) is None
    )


def test_scarce_capacity_goes_to_the_more_urgent_need() -> None:
    # one seat: the high-priority need wins even though the low-priority one is listed first
    found = match(
        [need("low", "tun", "low"), need("high", "sen", "high")], [offer("o1", "anapec")], AREAS
    )
    assert [(m.kind, m.need_ids) for m in found] == [("bilateral", ["high"])]
    assert "high priority" in (found[0].explanation.en or "")


def test_an_offer_with_room_for_several_becomes_multilateral() -> None:
    needs = [need("n1", "tun"), need("n2", "sen", "medium"), need("n3", "tun", "low")]
    found = match(needs, [offer("o1", "anapec", capacity=3)], AREAS)
    # n3 is tun's second need: tun is one party, represented by its more urgent need n1
    assert [(m.kind, m.need_ids) for m in found] == [("multilateral", ["n1", "n2"])]
    explanation = found[0].explanation
    assert explanation.complete
    assert "2 institutions" in (explanation.en or "")
    assert "job matching" in (explanation.fr or "")


def test_both_sides_answer_a_proposal() -> None:
    found = match([need("n1", "tun")], [offer("o1", "anapec")], AREAS)[0]
    proposal = Proposal.from_match("coop-1", "2024-2026", found, text("Offer"), 1, NOW)
    proposal.answer("anapec", "accepted", now=NOW)
    assert proposal.status == "proposed"
    with pytest.raises(Conflict):
        proposal.answer("anapec", "declined", now=NOW)  # one answer per side
    with pytest.raises(Forbidden):
        proposal.answer("iskur", "accepted", now=NOW)  # not a party
    proposal.answer("tun", "accepted", now=NOW)
    assert [p.answer for p in proposal.parties] == ["accepted", "accepted"]
    assert proposal.model_dump()["status"] == "accepted"


def test_matching_again_keeps_live_proposals_and_skips_declined_pairs() -> None:
    needs = [need("n1", "tun"), need("n2", "sen", "medium"), need("n3", "egy", "low")]
    first = match(needs, [offer("o1", "anapec", capacity=2)], AREAS)
    assert [m.need_ids for m in first] == [["n1", "n2"]]
    proposal = Proposal.from_match("coop-1", "2024-2026", first[0], text("Offer"), 1, NOW)

    # while the proposal is live, its needs and seats are taken: nothing new to propose
    assert match(needs, [offer("o1", "anapec", capacity=2)], AREAS, commitments([proposal])) == []

    # Senegal declines: Tunisia stays a candidate, Senegal's pair is not proposed again,
    # so the low-priority Egyptian need gets the other seat
    proposal.answer("sen", "declined", now=NOW)
    again = match(needs, [offer("o1", "anapec", capacity=2)], AREAS, commitments([proposal]))
    assert [m.need_ids for m in again] == [["n1", "n3"]]


def test_each_reason_names_the_institution_priority_and_what_is_shared_in_every_language() -> None:
    from pesnet.actionplan.domain.matching import PairScore, _pair_reason

    pair = PairScore(
        need_id="n1",
        institution="anapec",
        score=1.0,
        shared_topics=["job matching"],
        shared_formats=[],
        shared_languages=[],
        priority="high",
    )
    names = {"anapec": Localized(ar="أنابيك", en="ANAPEC (en)", fr="ANAPEC (fr)")}
    reason = _pair_reason(pair, names)
    assert reason.get("en") == "ANAPEC (en) (high priority; shared topics: job matching)"
    assert reason.get("fr").startswith("ANAPEC (fr) (priorité ")
    assert "thèmes communs : job matching" in reason.get("fr")
    assert reason.get("ar").startswith("أنابيك (أولوية ")
    assert "المواضيع المشتركة: job matching" in reason.get("ar")
    assert reason.get("ar").count("؛") == 1


def test_an_explanation_names_the_institutions_never_their_ids() -> None:
    names = {
        "anapec": Localized(
            ar="الوكالة الوطنية لإنعاش التشغيل والكفاءات",
            en="National Agency for the Promotion of Employment and Skills (ANAPEC)",
            fr="Agence nationale de promotion de l'emploi et des compétences (ANAPEC)",
        ),
        "tun": Localized(ar="الوكالة التونسية", en="PES of Tunisia", fr="SPE de Tunisie"),
    }
    [found] = match([need("n1", "tun")], [offer("o1", "anapec")], AREAS, names=names)
    explanation = found.explanation
    assert (explanation.fr or "").startswith(
        "L'offre de l'institution Agence nationale de promotion de l'emploi et des "
        "compétences (ANAPEC) « "
    )
    assert "répond au besoin de l'institution SPE de Tunisie (priorité" in (explanation.fr or "")
    assert (explanation.en or "").startswith(
        "The offer of National Agency for the Promotion of Employment and Skills (ANAPEC), "
    )
    assert "meets the need of PES of Tunisia (" in (explanation.en or "")
    assert (explanation.ar or "").startswith("عرض الوكالة الوطنية لإنعاش التشغيل والكفاءات «")
    assert "الوكالة التونسية (أولوية" in (explanation.ar or "")
    for text in (explanation.ar, explanation.en, explanation.fr):
        assert "anapec" not in (text or "")
        assert "tun " not in (text or "")
