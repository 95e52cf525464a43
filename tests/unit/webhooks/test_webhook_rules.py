"""Which events a subscription gets, where it may point, and the retry policy."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest

from pesnet.notifications.domain.webhooks import (
    RetryPolicy,
    address_allowed,
    check_addresses,
    classify_status,
    parse_ip,
    parse_retry_after,
    pattern_matches,
    should_disable,
    validate_event_types,
    validate_partner,
    validate_url,
)
from pesnet.shared.errors import InvalidInput
from pesnet.shared.events import CATALOG

PUBLIC = CATALOG.public_types()
ALL = [spec.type for spec in CATALOG]


@pytest.mark.parametrize(
    ("pattern", "event_type", "expected"),
    [
        ("#", "agenda.meeting.scheduled", True),
        ("agenda.#", "agenda.meeting.scheduled", True),
        ("agenda.#", "actionplan.plan.adopted", False),
        ("agenda.*.released", "agenda.programme.released", True),
        ("agenda.*", "agenda.programme.released", False),
        ("*.*.released", "agenda.programme.released", True),
        ("#.released", "agenda.programme.released", True),
        ("agenda.#.released", "agenda.programme.released", True),
        ("agenda.programme.released.#", "agenda.programme.released", True),
        ("agenda.programme.released", "agenda.programme.released", True),
        ("agenda.programme.released", "agenda.programme.releasedx", False),
        ("agenda.programme", "agenda.programme.released", False),
    ],
)
def test_topic_patterns_match_like_amqp(pattern: str, event_type: str, expected: bool) -> None:
    assert pattern_matches(pattern, event_type) is expected


def test_no_event_types_means_every_public_type() -> None:
    assert validate_event_types(None, PUBLIC, ALL) == ["#"]
    assert validate_event_types([], PUBLIC, ALL) == ["#"]


def test_public_patterns_and_types_are_kept_once() -> None:
    kept = validate_event_types(
        ["agenda.#", "registration.delegation.updated", "agenda.#"], PUBLIC, ALL
    )
    assert kept == ["agenda.#", "registration.delegation.updated"]


@pytest.mark.parametrize(
    ("patterns", "field", "message"),
    [
        (["agenda.#", "registration.participant.registered"], "event_types.1", "internal"),
        (["agenda.meeting.cancelledd"], "event_types.0", "unknown event type"),
        (["registration.participant.*"], "event_types.0", "matches no public event type"),
        (["nothing.#"], "event_types.0", "matches no public event type"),
        (["Agenda.#"], "event_types.0", "dot-separated"),
        (["agenda..x"], "event_types.0", "dot-separated"),
        ([""], "event_types.0", "dot-separated"),
    ],
)
def test_bad_or_private_event_types_are_refused_naming_the_item(
    patterns: list[str], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        validate_event_types(patterns, PUBLIC, ALL)
    assert caught.value.field == field


def test_partner_names_follow_the_amqp_partner_rule() -> None:
    assert validate_partner("ilo") == "ilo"
    with pytest.raises(InvalidInput) as caught:
        validate_partner("ILO partners")
    assert caught.value.field == "partner"


@pytest.mark.parametrize(
    "url",
    ["https://partner.example.org/hooks", "https://partner.example.org:8443/h?x=1"],
)
def test_https_urls_are_accepted_everywhere(url: str) -> None:
    assert validate_url(url) == url
    assert validate_url(url, allow_loopback=True) == url


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9000/hook", "http://localhost/hook", "http://[::1]:8080/"]
)
def test_loopback_only_where_a_test_allows_it(url: str) -> None:
    assert validate_url(url, allow_loopback=True) == url
    with pytest.raises(InvalidInput, match="https is required"):
        validate_url(url)
    with pytest.raises(InvalidInput, match="not a public internet address"):
        validate_url(url.replace("http://", "https://"))


INSIDE = [
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "0.0.0.0",  # noqa: S104 - an address refused, not bound
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "100.64.0.1",
    "100.127.255.254",
    "169.254.169.254",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "[::1]",
    "[::]",
    "[fd00::1]",
    "[fe80::1]",
    "[fec0::1]",
    "[ff02::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::ffff:8.8.8.8]",
    "[::127.0.0.1]",
    "[64:ff9b::a00:1]",
    "[2002:a00:1::]",
    "[2001:db8::1]",
]


@pytest.mark.parametrize("host", INSIDE)
def test_no_spelling_of_an_inside_address_is_accepted(host: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_url(f"https://{host}:8443/hook")
    assert caught.value.field == "url"


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("127.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("8.8.8.8", "8.8.8.8"),
        ("partner.example.org", None),
        ("1.2.3.4.5", None),
        ("256.1.1.1", None),
    ],
)
def test_odd_ipv4_spellings_are_read_as_inet_aton_reads_them(
    spelling: str, address: str | None
) -> None:
    parsed = parse_ip(spelling)
    assert (str(parsed) if parsed else None) == address


def test_a_name_is_refused_when_any_address_it_resolves_to_is_inside() -> None:
    assert [str(a) for a in check_addresses("p.example", ["93.184.216.34"])] == ["93.184.216.34"]
    for addresses in (["93.184.216.34", "10.0.0.1"], ["::ffff:127.0.0.1"], []):
        with pytest.raises(InvalidInput) as caught:
            check_addresses("p.example", addresses)
        assert caught.value.field == "url"
    assert check_addresses("p.example", ["127.0.0.1"], allow_loopback=True)
    assert not address_allowed(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://partner.example.org/hook", "https is required"),
        ("http://10.0.0.5/hook", "https is required"),
        ("ftp://partner.example.org/", "absolute https"),
        ("partner.example.org/hook", "absolute https"),
        ("https://user:pw@partner.example.org/", "credentials"),
        ("https://partner.example.org:99999/", "not a valid URL"),
        ("https://partner.example.org/" + "x" * 2000, "at most"),
    ],
)
def test_bad_urls_are_refused_naming_the_field(url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        validate_url(url, allow_loopback=True)
    assert caught.value.field == "url"


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, "succeeded"),
        (204, "succeeded"),
        (301, "failed"),
        (400, "failed"),
        (401, "failed"),
        (404, "failed"),
        (408, "retry"),
        (429, "retry"),
        (500, "retry"),
        (503, "retry"),
    ],
)
def test_status_codes_are_classified(status: int, outcome: str) -> None:
    assert classify_status(status) == outcome


NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_backoff_doubles_up_to_its_cap_and_gives_up_after_max_attempts() -> None:
    policy = RetryPolicy(
        max_attempts=5,
        initial_backoff=timedelta(seconds=10),
        max_backoff=timedelta(seconds=60),
        max_age=timedelta(days=1),
    )
    waits = [policy.next_attempt_at(attempt=n, now=NOW, created_at=NOW) for n in range(1, 6)]
    assert waits[:4] == [NOW + timedelta(seconds=s) for s in (10, 20, 40, 60)]
    assert waits[4] is None


def test_retries_stop_at_the_maximum_age() -> None:
    policy = RetryPolicy(
        max_attempts=100, initial_backoff=timedelta(minutes=10), max_age=timedelta(minutes=15)
    )
    created = NOW - timedelta(minutes=10)
    assert policy.next_attempt_at(attempt=1, now=NOW, created_at=created) is None
    assert policy.next_attempt_at(attempt=1, now=NOW, created_at=NOW) == NOW + timedelta(minutes=10)


def test_retry_after_is_honoured_when_sane() -> None:
    policy = RetryPolicy(initial_backoff=timedelta(seconds=1), max_retry_after=timedelta(hours=1))
    later = policy.next_attempt_at(
        attempt=1, now=NOW, created_at=NOW, retry_after=timedelta(seconds=120)
    )
    assert later == NOW + timedelta(seconds=120)
    # absurd: ignored, the backoff applies
    ignored = policy.next_attempt_at(
        attempt=1, now=NOW, created_at=NOW, retry_after=timedelta(days=30)
    )
    assert ignored == NOW + timedelta(seconds=1)


def test_retry_after_header_forms() -> None:
    assert parse_retry_after("120", now=NOW) == timedelta(seconds=120)
    assert parse_retry_after("Thu, 01 Jan 2026 12:05:00 GMT", now=NOW) == timedelta(minutes=5)
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=NOW) == timedelta(0)
    assert parse_retry_after("soon", now=NOW) is None
    assert parse_retry_after(None, now=NOW) is None


def test_subscription_is_disabled_after_the_threshold_unless_zero() -> None:
    assert not should_disable(4, 5)
    assert should_disable(5, 5)
    assert not should_disable(100, 0)
