"""One signed-link scheme for badge tokens and preference links: made and read by the
kernel's `LinkSigner`, refused when tampered with or signed by an unknown key, read
across a key rotation; tokens issued before the scheme moved into the kernel stay
valid."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from pesnet.notifications.domain.model import Links
from pesnet.registration.domain.badges import BadgeKey
from pesnet.shared.signed_links import LinkSigner, decode_value, encode_value

REGISTRATION = "3f2a9c0d5e6b4a1c8d7e9f0a1b2c3d4e"
NONCE = "q2Vx8yTn0LkWcA1z"
# made by the code as it was, with these secrets: printed on badges, sent in mails
BADGE_ISSUED_BEFORE = (
    "b1.3f2a9c0d5e6b4a1c8d7e9f0a1b2c3d4e.q2Vx8yTn0LkWcA1z.LnIAu9ocKFvHwAaaVmc-EO4rUpY"
)
LINKS_ISSUED_BEFORE = {
    "ZmF0aW1hLnphaHJhQGFuYXBlYy5tYQ.8ad619ecdf810352aeebda58f1f088b6": "fatima.zahra@anapec.ma",
    "2YHYp9i32YXYqUBleGFtcGxlLm9yZw.076bd2dd504010a9a5d7b86646ee0be2": "فاطمة@example.org",
}
BADGE_SECRET = b"badge secret of 2024"
LINK_SECRET = b"link secret of 2024"


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def test_a_badge_token_and_a_preference_token_are_made_and_read_by_the_one_scheme() -> None:
    badge = BadgeKey(BADGE_SECRET).token_for(REGISTRATION, NONCE)
    assert LinkSigner("b1", [BADGE_SECRET]).read(badge) == (REGISTRATION, NONCE)
    links = Links((LINK_SECRET,), "https://notify.example.org")
    link = token_of(links.preferences_url("Fatima.Zahra@ANAPEC.ma"))
    [address] = LinkSigner("p1", [LINK_SECRET]).read(link) or ()
    assert decode_value(address) == "fatima.zahra@anapec.ma"
    assert links.owner(link) == "fatima.zahra@anapec.ma"
    # the purpose keeps one use's token from passing for the other's, even with one key
    assert LinkSigner("p1", [BADGE_SECRET]).read(badge) is None
    assert BadgeKey(LINK_SECRET).read(link) is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace(REGISTRATION, REGISTRATION[::-1]),  # another registration
        lambda t: t.replace(NONCE, NONCE.upper()),  # an old badge's nonce
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature
        lambda t: t.rpartition(".")[0],  # no signature
        lambda t: "b2" + t[2:],  # another purpose
        lambda t: t + ".extra",
        lambda t: "",
        lambda t: "garbage",
    ],
)
def test_a_tampered_badge_token_is_refused(tamper: Callable[[str], str]) -> None:
    key = BadgeKey(BADGE_SECRET)
    token = key.token_for(REGISTRATION, NONCE)
    assert key.read(tamper(token)) is None


def test_a_tampered_preference_link_is_refused() -> None:
    links = Links((LINK_SECRET,), "https://notify.example.org")
    token = token_of(links.preferences_url("fatima.zahra@anapec.ma"))
    purpose, _, signature = token.split(".")
    someone_else = encode_value("someone@else.org")
    assert links.owner(f"{purpose}.{someone_else}.{signature}") is None
    assert links.owner(token[:-2]) is None
    assert Links((b"another secret",), "").owner(token) is None
    assert links.owner("!!!.abc") is None


def test_tokens_of_the_previous_key_are_read_while_it_is_listed_and_revoked_once_dropped() -> None:
    old = BadgeKey(b"key of 2024").token_for(REGISTRATION, NONCE)
    assert BadgeKey(b"key of 2025", b"key of 2024").read(old) == (REGISTRATION, NONCE)
    assert BadgeKey(b"key of 2025").read(old) is None
    # the new key signs
    new = BadgeKey(b"key of 2025", b"key of 2024").token_for(REGISTRATION, NONCE)
    assert BadgeKey(b"key of 2025").read(new) == (REGISTRATION, NONCE)

    link = token_of(Links((b"key of 2024",), "").preferences_url("x@example.org"))
    assert Links((b"key of 2025", b"key of 2024"), "").owner(link) == "x@example.org"
    assert Links((b"key of 2025",), "").owner(link) is None


def test_badges_printed_before_the_kernel_scheme_still_check_in() -> None:
    key = BadgeKey(BADGE_SECRET)
    assert key.read(BADGE_ISSUED_BEFORE) == (REGISTRATION, NONCE)
    # the scheme makes the very same token: nothing printed needs reprinting
    assert key.token_for(REGISTRATION, NONCE) == BADGE_ISSUED_BEFORE


@pytest.mark.parametrize("token", sorted(LINKS_ISSUED_BEFORE))
def test_preference_links_mailed_before_the_kernel_scheme_still_open(token: str) -> None:
    links = Links((LINK_SECRET,), "")
    assert links.owner(token) == LINKS_ISSUED_BEFORE[token]
    assert Links((b"another secret",), "").owner(token) is None
    flipped = token[:-1] + ("1" if token[-1] != "1" else "2")
    assert links.owner(flipped) is None


def test_a_value_that_is_not_url_safe_is_refused_when_signing() -> None:
    signer = LinkSigner("p1", [LINK_SECRET])
    with pytest.raises(ValueError, match="encode_value"):
        signer.sign("fatima@anapec.ma")
    assert decode_value(encode_value("فاطمة@example.org")) == "فاطمة@example.org"
