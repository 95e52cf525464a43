"""A head of delegation's consultation link speaks for their member state, and nothing
else passes for one: a tampered link, another purpose's (a manage link), another key's."""

from __future__ import annotations

from pesnet.shared.credentials import ActorKind
from pesnet.shared.delegation_links import DelegationLinks, delegation_link_keys
from pesnet.shared.manage_links import ManageLinks


def test_a_link_reads_back_as_its_delegation_and_nothing_else_does() -> None:
    links = DelegationLinks([b"key-1"])
    token = links.token("reg-42", "TUR", "pesnet-4")
    actor = links.read(token)
    assert actor is not None
    assert (actor.kind, actor.country, actor.registration_id) == (
        ActorKind.registrant,
        "TUR",
        "reg-42",
    )
    assert actor.institution is None  # a head of delegation, not a focal point
    assert links.read(token.replace("TUR", "MAR")) is None
    assert DelegationLinks([b"key-2"]).read(token) is None
    assert links.read(ManageLinks([b"key-1"]).token("reg-42", 1)) is None
    assert DelegationLinks([b"key-2", b"key-1"]).read(token) is not None  # rotated


def test_links_exist_only_where_keys_are_given_outside_dev_mode() -> None:
    assert delegation_link_keys(None, dev_mode=False) == ()
    assert delegation_link_keys(None, dev_mode=True)
