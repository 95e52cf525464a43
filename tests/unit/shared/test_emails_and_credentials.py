"""One rule for e-mail addresses, and one way to tell who a bearer token stands for."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from pesnet.shared.credentials import (
    ANONYMOUS,
    SECRETARIAT,
    Actor,
    ActorKind,
    TokenPrefix,
    hash_secret_token,
    is_link_token,
    new_secret_token,
    prefix_of,
    resolve_actor,
)
from pesnet.shared.emails import Email, InvalidEmail, email_key, needs_smtputf8, normalize_email


class Person(BaseModel):
    email: Email


@pytest.mark.parametrize(
    "address", ["فاطمة@example.org", "josé@exemple.fr", "ali@example.org", "用户@例子.广告"]
)
def test_internationalized_addresses_are_accepted(address: str) -> None:
    assert Person(email=address).email == normalize_email(address)


@pytest.mark.parametrize("address", ["not-an-address", "a@", "@example.org", "a b@example.org"])
def test_malformed_addresses_are_refused_with_a_reason(address: str) -> None:
    with pytest.raises(InvalidEmail):
        normalize_email(address)
    with pytest.raises(ValidationError) as raised:
        Person(email=address)
    assert raised.value.errors()[0]["loc"] == ("email",)


def test_two_spellings_of_one_mailbox_have_one_key() -> None:
    assert email_key("Ali@Example.ORG") == email_key("ali@example.org")
    assert needs_smtputf8("فاطمة@example.org")
    assert not needs_smtputf8("ali@example.org")


class Store:
    def __init__(self, actors: dict[str, Actor]) -> None:
        self.actors = actors

    async def actor_for(self, prefix: TokenPrefix, token_hash: str) -> Actor | None:
        return self.actors.get(token_hash)

    async def actor_for_link(self, token: str) -> Actor | None:
        return self.actors.get(token)


async def test_a_bearer_token_resolves_to_who_it_stands_for() -> None:
    focal = new_secret_token(TokenPrefix.focal_point)
    assert prefix_of(focal) is TokenPrefix.focal_point
    mor = Actor(ActorKind.focal_point, country="MAR")
    store = Store({hash_secret_token(focal): mor})
    secret = SecretStr("the-secretariat")

    assert await resolve_actor(None, secretariat_token=secret, store=store) == ANONYMOUS
    assert await resolve_actor("the-secretariat", secretariat_token=secret, store=store) == (
        SECRETARIAT
    )
    assert await resolve_actor(focal, secretariat_token=secret, store=store) == mor
    unknown = new_secret_token(TokenPrefix.focal_point)
    assert await resolve_actor(unknown, secretariat_token=secret, store=store) is None
    assert await resolve_actor("garbage", secretariat_token=secret, store=store) is None
    # a signed manage link goes to the store as it is (it checks signature and version)
    link = "m1.r1.1.signature"
    store.actors[link] = Actor(ActorKind.registrant, registration_id="r1")
    found = await resolve_actor(link, secretariat_token=secret, store=store)
    assert found == Actor(ActorKind.registrant, registration_id="r1")
    assert is_link_token(link)
    assert not is_link_token(focal)
    # no configured secretariat token: nothing compares equal to it
    assert await resolve_actor("", secretariat_token=None, store=store) is None
