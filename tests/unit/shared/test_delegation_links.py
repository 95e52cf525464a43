"""A head of delegation's consultation link speaks for their member state until it
expires, and nothing else passes for one: a tampered link, another purpose's (a manage
link), another key's, a link of the first form (without an expiry)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pesnet.shared.credentials import ActorKind
from pesnet.shared.delegation_links import (
    LIFETIME_DAYS,
    DelegationLinks,
    delegation_link_keys,
)
from pesnet.shared.manage_links import ManageLinks
from pesnet.shared.signed_links import LinkSigner

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_a_link_reads_back_as_its_delegation_and_nothing_else_does() -> None:
    links = DelegationLinks([b"key-1"])
    token = links.token("reg-42", "TUR", "pesnet-4", now=NOW)
    link = links.read(token)
    assert link is not None
    actor = link.actor
    assert (actor.kind, actor.country, actor.registration_id) == (
        ActorKind.registrant,
        "TUR",
        "reg-42",
    )
    assert link.meeting_id == "pesnet-4"
    assert actor.institution is None  # a head of delegation, not a focal point
    assert links.read(token.replace("TUR", "MAR")) is None
    assert DelegationLinks([b"key-2"]).read(token) is None
    assert links.read(ManageLinks([b"key-1"]).token("reg-42", 1)) is None
    assert DelegationLinks([b"key-2", b"key-1"]).read(token) is not None  # rotated


def test_a_link_expires_after_its_lifetime_and_its_expiry_cannot_be_pushed_back() -> None:
    links = DelegationLinks([b"key-1"])
    link = links.read(links.token("reg-42", "TUR", "pesnet-4", now=NOW))
    assert link is not None
    assert link.expires_at == NOW + timedelta(days=LIFETIME_DAYS)
    assert not link.expired(NOW + timedelta(days=LIFETIME_DAYS - 1))
    assert link.expired(NOW + timedelta(days=LIFETIME_DAYS))

    short = DelegationLinks([b"key-1"], lifetime=timedelta(days=2))
    token = short.token("reg-42", "TUR", "pesnet-4", now=NOW)
    read = short.read(token)
    assert read is not None
    assert read.expired(NOW + timedelta(days=2, seconds=1))
    # a later expiry written into the link breaks its signature
    head, expires, signature = token.rsplit(".", 2)
    assert short.read(f"{head}.{int(expires) + 86400 * 365}.{signature}") is None
    with pytest.raises(ValueError, match="lives for some time"):
        DelegationLinks([b"key-1"], lifetime=timedelta(0))


def test_a_link_of_the_first_form_without_an_expiry_is_refused() -> None:
    old = LinkSigner("d1", [b"key-1"]).sign("reg-42", "TUR", "pesnet-4")
    assert DelegationLinks([b"key-1"]).read(old) is None
    # nor does an expiry that is no time, though signed
    odd = LinkSigner("d2", [b"key-1"]).sign("reg-42", "TUR", "pesnet-4", "soon")
    assert DelegationLinks([b"key-1"]).read(odd) is None


def test_links_exist_only_where_keys_are_given_outside_dev_mode() -> None:
    assert delegation_link_keys(None, dev_mode=False) == ()
    assert delegation_link_keys(None, dev_mode=True)
