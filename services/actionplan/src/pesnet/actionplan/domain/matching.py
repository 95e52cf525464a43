"""Needs assessment and cooperation matching.

Institutions state capacity-building needs (per thematic area, with a priority and
topics) and offers of expertise (per thematic area, with topics, the formats they can
run and how many institutions they can take). Matching pairs them the way a
secretariat officer would:

1. A need and an offer are *eligible* when they are in the same thematic area, come
   from two different institutions, and (when both list topics) share a topic.
2. An eligible pair scores, out of 1: 0.5 x the share of the need's topics the offer
   covers, 0.25 x the need's priority (high 1, medium 0.6, low 0.3), 0.15 if the offer
   runs a format the need asks for (or the need asks for none), 0.1 if the two share a
   working language.
3. Scarce capacity goes to the most urgent needs first: pairs are taken in order of
   need priority, then score; each need gets at most one offer, and an offer serves
   at most `capacity` needs, of different institutions.
4. Matching again only adds: needs already in a live proposal stay where they are, the
   seats they take are used, and a pair one side declined is not proposed again.
5. An offer left with one need is a bilateral proposal; with several, a multilateral
   one. Proposals are ranked by score (a multilateral proposal scores the mean of its
   pairs) and say why in ar/en/fr, naming the institutions as readers of each language
   read them (their names from the reference, never their ids).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pesnet.actionplan.domain.activities import ActivityType
from pesnet.actionplan.domain.labels import ACTIVITY_TYPES, PRIORITIES, said
from pesnet.actionplan.domain.plan import ThematicArea
from pesnet.shared.i18n import LANGUAGES, Language, Localized
from pesnet.shared.terms import LANGUAGE_NAMES
from pesnet.shared.translation import _

Priority = Literal["high", "medium", "low"]
PRIORITY_WEIGHT: dict[str, float] = {"high": 1.0, "medium": 0.6, "low": 0.3}
PRIORITY_RANK: dict[str, int] = {"high": 0, "medium": 1, "low": 2}


def normalise_topics(topics: list[str]) -> list[str]:
    return list(dict.fromkeys(t.strip().lower() for t in topics if t.strip()))


class Need(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    period: str
    institution: str
    country: str | None = None
    thematic_area: str
    priority: Priority
    title: Localized
    topics: list[str] = []
    formats: list[ActivityType] = []
    languages: list[Language] = []
    submitted_at: datetime


class Offer(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    period: str
    institution: str
    country: str | None = None
    thematic_area: str
    title: Localized
    topics: list[str] = []
    formats: list[ActivityType] = []
    languages: list[Language] = []
    capacity: int = Field(default=1, ge=1, le=50)
    submitted_at: datetime


class PairScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    need_id: str
    institution: str
    score: float
    shared_topics: list[str]
    shared_formats: list[str]
    shared_languages: list[str]
    priority: Priority


class Match(BaseModel):
    """A proposal before it is stored: one offer and the needs it should serve."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["bilateral", "multilateral"]
    offer_id: str
    offer_institution: str
    thematic_area: str
    need_ids: list[str]
    pairs: list[PairScore]
    score: float
    explanation: Localized

    @property
    def key(self) -> str:
        """The natural key: the same offer for the same needs is one proposal."""
        return f"{self.offer_id}:{','.join(sorted(self.need_ids))}"


def score_pair(need: Need, offer: Offer) -> PairScore | None:
    """The pair's score, or None when the pair is not eligible."""
    if need.institution == offer.institution or need.thematic_area != offer.thematic_area:
        return None
    need_topics = normalise_topics(need.topics)
    offer_topics = set(normalise_topics(offer.topics))
    shared_topics = [t for t in need_topics if t in offer_topics]
    if need_topics and offer_topics and not shared_topics:
        return None
    coverage = len(shared_topics) / len(need_topics) if need_topics else 0.5
    shared_formats = [f for f in need.formats if f in offer.formats]
    format_fit = 1.0 if shared_formats or not need.formats else 0.0
    shared_languages = [lang for lang in need.languages if lang in offer.languages]
    language_fit = 1.0 if shared_languages else 0.0
    score = (
        0.5 * coverage
        + 0.25 * PRIORITY_WEIGHT[need.priority]
        + 0.15 * format_fit
        + 0.1 * language_fit
    )
    return PairScore(
        need_id=need.id,
        institution=need.institution,
        score=round(score, 4),
        shared_topics=shared_topics,
        shared_formats=list(shared_formats),
        shared_languages=list(shared_languages),
        priority=need.priority,
    )


@dataclass(frozen=True)
class Commitments:
    """What earlier proposals settled, so that matching again only adds to them: needs in a
    live (proposed or accepted) proposal are served, the seats they take are used, and a
    pair one side declined is not proposed again."""

    served_needs: frozenset[str] = frozenset()
    # offer id → institutions it already serves in live proposals
    served_by_offer: Mapping[str, frozenset[str]] = field(default_factory=dict)
    declined_pairs: frozenset[tuple[str, str]] = frozenset()  # (need id, offer id)


def match(
    needs: list[Need],
    offers: list[Offer],
    areas: list[ThematicArea],
    commitments: Commitments | None = None,
    names: Mapping[str, Localized] | None = None,
) -> list[Match]:
    """Proposals for the given needs and offers, best first; `names` are the
    institutions' names in the three languages (the explanations name them so)."""
    settled = commitments or Commitments()
    candidates: list[tuple[PairScore, Offer]] = []
    for offer in offers:
        already = settled.served_by_offer.get(offer.id, frozenset())
        for need in needs:
            if need.id in settled.served_needs or (need.id, offer.id) in settled.declined_pairs:
                continue
            if need.institution in already:
                continue
            pair = score_pair(need, offer)
            if pair is not None:
                candidates.append((pair, offer))
    # Most urgent needs first, then the best fit; ids only make the order deterministic.
    candidates.sort(
        key=lambda c: (PRIORITY_RANK[c[0].priority], -c[0].score, c[0].need_id, c[1].id)
    )
    served: set[str] = set()
    assigned: dict[str, list[PairScore]] = {}
    for pair, offer in candidates:
        taken = assigned.setdefault(offer.id, [])
        seats = offer.capacity - len(settled.served_by_offer.get(offer.id, ()))
        if pair.need_id in served or len(taken) >= seats:
            continue
        if any(t.institution == pair.institution for t in taken):
            continue  # one institution is one party: its best need speaks for it
        taken.append(pair)
        served.add(pair.need_id)
    titles = {a.id: a.title for a in areas}
    by_id = {o.id: o for o in offers}
    matches = []
    for offer_id, pairs in assigned.items():
        if not pairs:
            continue
        offer = by_id[offer_id]
        score = round(sum(p.score for p in pairs) / len(pairs), 4)
        matches.append(
            Match(
                kind="bilateral" if len(pairs) == 1 else "multilateral",
                offer_id=offer.id,
                offer_institution=offer.institution,
                thematic_area=offer.thematic_area,
                need_ids=[p.need_id for p in pairs],
                pairs=pairs,
                score=score,
                explanation=explain(offer, pairs, titles.get(offer.thematic_area), names),
            )
        )
    matches.sort(key=lambda m: (-m.score, m.offer_id))
    return matches


def _name(names: Mapping[str, Localized] | None, institution: str) -> Localized:
    """An institution as the reference names it in each language (else its id)."""
    found = (names or {}).get(institution)
    return found if found is not None else Localized.everywhere(institution)


def _joined(words: list[Localized]) -> Localized:
    """Several words of one aspect, comma-separated in every language."""
    return Localized(
        **{lang.value: ", ".join(word.get(lang) for word in words) for lang in LANGUAGES}
    )


def _pair_reason(pair: PairScore, names: Mapping[str, Localized] | None) -> Localized:
    """Why one need: its institution, its priority and what it shares with the offer."""
    reason = said(_("{priority} priority"), priority=PRIORITIES[pair.priority])
    aspects = [
        (_("shared topics: {words}"), [Localized.everywhere(t) for t in pair.shared_topics]),
        (_("format: {words}"), [ACTIVITY_TYPES[f].localized() for f in pair.shared_formats]),
        (_("common working language: {words}"), [LANGUAGE_NAMES[c] for c in pair.shared_languages]),
    ]
    for message, words in aspects:
        if words:
            aspect = said(message, words=_joined(words))
            reason = said(_("{reason}; {aspect}"), reason=reason, aspect=aspect)
    return said(
        _("{institution} ({reason})"), institution=_name(names, pair.institution), reason=reason
    )


def explain(
    offer: Offer,
    pairs: list[PairScore],
    area: Localized | None,
    names: Mapping[str, Localized] | None = None,
) -> Localized:
    """Why this offer for these needs, in the three languages."""
    reasons = _pair_reason(pairs[0], names)
    for pair in pairs[1:]:
        reasons = said(_("{reasons}, {reason}"), reasons=reasons, reason=_pair_reason(pair, names))
    values = {
        "offering": _name(names, offer.institution),
        "title": offer.title,
        "area": area or Localized.everywhere(offer.thematic_area),
        "reasons": reasons,
    }
    if len(pairs) == 1:
        return said(
            _('The offer of {offering}, "{title}" ({area}), meets the need of {reasons}.'),
            **values,
        )
    return said(
        _(
            'The offer of {offering}, "{title}" ({area}), meets the needs of {count} '
            "institutions: {reasons}."
        ),
        count=len(pairs),
        **values,
    )
