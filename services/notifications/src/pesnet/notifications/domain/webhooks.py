"""Partner webhooks: the rules, without I/O.

- What a subscription may ask for: topic patterns (AMQP style: `*` one word, `#` zero
  or more words) or exact event types, and only public ones: personal data never
  leaves through webhooks.
- Where it may point: https to a public internet address, whatever the spelling of the
  host (a name is resolved and every address it gives is checked, at subscription and
  again before each connection). Loopback (and http to it) only where a test setting
  allows it.
- What to do after an attempt: done, retry later (with exponential backoff and the
  target's Retry-After), or give up.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pesnet.shared.errors import InvalidInput
from pesnet.shared.topics import topic_matches
from pesnet.shared.translation import N_, _

ALL_PUBLIC = "#"
MAX_PATTERNS = 50
# an event type has three words: a longer pattern says nothing more
MAX_PATTERN_LENGTH = 100
MAX_PATTERN_WORDS = 8
MAX_URL_LENGTH = 2000
PARTNER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}$")
_WORD = re.compile(r"^(\*|#|[a-z_]+)$")
LOOPBACK_NAMES = {"localhost"}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# not in the stdlib's non-global ranges (3.11) but never a partner's server
_ALSO_REFUSED = (
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT
    ipaddress.ip_network("64:ff9b::/96"),  # NAT64: an IPv4 address inside
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("2002::/16"),  # 6to4: an IPv4 address inside
    ipaddress.ip_network("2001::/32"),  # Teredo: an IPv4 address inside
)
ADDRESS_REFUSED = N_("this address is not a public internet address")
# one message for every refused or failed connection: the log tells no port from another
CONNECTION_FAILED = "connection failed"


def _ipv4_number(part: str) -> int:
    """One part of an IPv4 address as inet_aton reads it: 0x… hex, 0… octal, else decimal."""
    if part.lower().startswith("0x"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part[1:], 8)
    return int(part, 10)


def parse_ip(host: str) -> IPAddress | None:
    """The address a URL's host names literally, in any spelling a resolver accepts
    (`127.0.0.1`, `127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`, `[::ffff:7f00:1]`),
    or None for a name."""
    host = host.strip().strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(parts):
        return None
    try:
        numbers = [_ipv4_number(p) for p in parts]
    except ValueError:
        return None
    # inet_aton: a.b.c.d; a.b.(16 bits); a.(24 bits); (32 bits)
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 1 << (8 * (5 - len(numbers))):
        return None
    value = last
    for position, n in enumerate(head):
        value |= n << (8 * (3 - position))
    return ipaddress.IPv4Address(value)


def address_allowed(address: IPAddress, *, allow_loopback: bool = False) -> bool:
    """A public unicast internet address (or loopback where a test allows it). IPv6
    forms that carry an IPv4 address (mapped, compatible, 6to4, Teredo, NAT64) are
    refused whatever they carry."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return False
        if address.ipv4_mapped is not None:
            return allow_loopback and address.ipv4_mapped.is_loopback
        if int(address) >> 32 == 0 and int(address) > 1:  # IPv4-compatible ::a.b.c.d
            return False
    if address.is_loopback:
        return allow_loopback
    if any(address in network for network in _ALSO_REFUSED):
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )


def check_addresses(
    host: str, addresses: Sequence[str], *, allow_loopback: bool = False
) -> list[IPAddress]:
    """The addresses a host resolved to, if every one is allowed (a name with one
    private address among public ones could be rebound to it); InvalidInput naming
    `url` otherwise."""
    if not addresses:
        raise InvalidInput(_("the host name does not resolve"), field="url")
    checked = []
    for text in addresses:
        address = parse_ip(text)
        if address is None or not address_allowed(address, allow_loopback=allow_loopback):
            raise InvalidInput(ADDRESS_REFUSED, field="url")
        checked.append(address)
    return checked


def pattern_matches(pattern: str, event_type: str) -> bool:
    """AMQP topic matching, in linear time (`pesnet.shared.topics`)."""
    return topic_matches(pattern, event_type)


def matches_any(patterns: Iterable[str], event_type: str) -> bool:
    return any(pattern_matches(p, event_type) for p in patterns)


def validate_partner(partner: str) -> str:
    if not PARTNER_NAME.match(partner):
        raise InvalidInput(
            _(
                "2-41 characters: lower-case letters, digits and '-', starting with a letter "
                "or digit"
            ),
            field="partner",
        )
    return partner


def validate_event_types(
    requested: Sequence[str] | None, public_types: Sequence[str], all_types: Iterable[str]
) -> list[str]:
    """The patterns to store (default: every public type). Each must be well formed
    and match at least one public type; an exact internal type is refused by name."""
    if not requested:
        return [ALL_PUBLIC]
    if len(requested) > MAX_PATTERNS:
        raise InvalidInput(
            _("at most {limit} patterns"), field="event_types", params={"limit": MAX_PATTERNS}
        )
    known = set(all_types)
    patterns: list[str] = []
    for index, pattern in enumerate(requested):
        field = f"event_types.{index}"
        words = pattern.split(".")
        if len(pattern) > MAX_PATTERN_LENGTH or len(words) > MAX_PATTERN_WORDS:
            raise InvalidInput(
                _("a pattern has at most {length} characters and {words} words"),
                field=field,
                params={"length": MAX_PATTERN_LENGTH, "words": MAX_PATTERN_WORDS},
            )
        if not pattern or not all(_WORD.match(w) for w in words):
            raise InvalidInput(
                _(
                    "a pattern is dot-separated words of a-z and '_', or '*' (one word) or "
                    "'#' (any words), e.g. 'agenda.#'"
                ),
                field=field,
            )
        is_exact = "*" not in words and "#" not in words
        if is_exact and pattern not in known:
            raise InvalidInput(
                _("unknown event type {pattern}"), field=field, params={"pattern": pattern}
            )
        if is_exact and pattern not in public_types:
            raise InvalidInput(
                _(
                    "{pattern} is an internal event type: personal data never leaves "
                    "through webhooks; only public event types can be subscribed to"
                ),
                field=field,
                params={"pattern": pattern},
            )
        if not any(pattern_matches(pattern, t) for t in public_types):
            raise InvalidInput(
                _("{pattern} matches no public event type"),
                field=field,
                params={"pattern": pattern},
            )
        if pattern not in patterns:
            patterns.append(pattern)
    return patterns


def validate_url(url: str, *, allow_loopback: bool = False) -> str:
    """https to a host that is not literally a refused address (names are resolved
    and checked by the caller: `check_addresses`); http only to loopback, where a test
    setting allows loopback."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(
            _("at most {limit} characters"), field="url", params={"limit": MAX_URL_LENGTH}
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise InvalidInput(_("not a valid URL"), field="url") from None
    if not host or parts.scheme not in ("http", "https"):
        raise InvalidInput(_("an absolute https:// URL is required"), field="url")
    if parts.username or parts.password:
        raise InvalidInput(_("credentials in the URL are not allowed"), field="url")
    if parts.fragment:
        raise InvalidInput(_("a URL fragment is not allowed"), field="url")
    loopback = _is_loopback(host)
    if parts.scheme == "http" and not (allow_loopback and loopback):
        raise InvalidInput(_("https is required"), field="url")
    if loopback:
        if not allow_loopback:
            raise InvalidInput(ADDRESS_REFUSED, field="url")
        return url
    address = parse_ip(host)
    if address is not None and not address_allowed(address):
        raise InvalidInput(ADDRESS_REFUSED, field="url")
    return url


def _is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") in LOOPBACK_NAMES:
        return True
    address = parse_ip(host)
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


@dataclass(frozen=True)
class RetryPolicy:
    """How long a delivery is retried. Attempt n (1-based) that fails transiently is
    followed by attempt n+1 after `initial * 2**(n-1)` seconds, at most `max_backoff`,
    or later if the target asks with Retry-After (honoured up to `max_retry_after`).
    A delivery gives up after `max_attempts` attempts or once the next attempt would
    fall after `max_age` from the event's arrival."""

    max_attempts: int = 10
    initial_backoff: timedelta = timedelta(seconds=10)
    max_backoff: timedelta = timedelta(hours=1)
    max_age: timedelta = timedelta(hours=24)
    max_retry_after: timedelta = timedelta(hours=1)

    def backoff(self, attempt: int) -> timedelta:
        seconds = self.initial_backoff.total_seconds() * 2 ** (attempt - 1)
        return min(timedelta(seconds=seconds), self.max_backoff)

    def next_attempt_at(
        self,
        *,
        attempt: int,
        now: datetime,
        created_at: datetime,
        retry_after: timedelta | None = None,
    ) -> datetime | None:
        """When to try again after failed attempt `attempt`, or None to give up."""
        if attempt >= self.max_attempts:
            return None
        wait = self.backoff(attempt)
        if retry_after is not None and retry_after <= self.max_retry_after:
            wait = max(wait, retry_after)
        when = now + wait
        if when > created_at + self.max_age:
            return None
        return when


Outcome = Literal["succeeded", "retry", "failed"]


def classify_status(status_code: int) -> Outcome:
    """2xx: done. 408, 429 and 5xx: the target may recover, try again. Anything else
    (other 4xx, and 3xx: redirects are not followed) will not get better by retrying."""
    if 200 <= status_code < 300:
        return "succeeded"
    if status_code in (408, 429) or status_code >= 500:
        return "retry"
    return "failed"


def parse_retry_after(value: str | None, *, now: datetime) -> timedelta | None:
    """Retry-After as seconds or an HTTP date; None when absent or not understood."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - now, timedelta(0))


def should_disable(consecutive_failures: int, threshold: int) -> bool:
    """A subscription whose deliveries keep failing for good is switched off, so that a
    dead endpoint does not pile up work; the secretariat re-enables it once fixed."""
    return threshold > 0 and consecutive_failures >= threshold


class UnsealError(Exception):
    """A sealed secret that the configured keys cannot open (a wrong or removed key, or a
    damaged value)."""


SubscriptionStatus = Literal["active", "disabled"]
DeliveryState = Literal["pending", "succeeded", "failed", "cancelled"]


@dataclass
class Subscription:
    """A partner's endpoint and the public event types it wants. Its signing secrets
    are stored sealed only (encrypted at rest); `plain_secret` is a subscription's
    secret from before they were sealed, sealed when a worker starts."""

    id: str
    partner: str
    url: str
    event_types: list[str]
    created_at: datetime
    status: SubscriptionStatus = "active"
    disabled_reason: str | None = None
    consecutive_failures: int = 0
    secret_sealed: str | None = None
    previous_secret_sealed: str | None = None
    previous_secret_until: datetime | None = None
    updated_at: datetime | None = None
    secret_rotated_at: datetime | None = None
    plain_secret: str | None = None
    plain_previous_secret: str | None = None

    @property
    def active(self) -> bool:
        return self.status == "active"

    def wants(self, event_type: str) -> bool:
        return self.active and matches_any(self.event_types, event_type)

    def disable(self, reason: str, now: datetime) -> None:
        self.status, self.disabled_reason, self.updated_at = "disabled", reason, now

    def enable(self, now: datetime) -> None:
        self.status, self.disabled_reason, self.updated_at = "active", None, now
        self.consecutive_failures = 0

    def rotate(self, sealed: str, now: datetime, grace: timedelta) -> None:
        """A new secret; the old one keeps signing (alongside) for the grace period, so
        the partner can switch without losing a delivery. The old one stays sealed with
        the key it was sealed with: the worker unseals it with any configured key."""
        self.previous_secret_sealed = self.secret_sealed if grace else None
        self.previous_secret_until = now + grace if grace else None
        self.secret_sealed = sealed
        self.secret_rotated_at = self.updated_at = now

    def signing_secrets_sealed(self, now: datetime) -> list[str]:
        """The sealed secrets to sign with now: the current one, and the previous one
        during a rotation's grace period."""
        if not self.secret_sealed:
            raise UnsealError("the subscription has no sealed signing secret stored")
        sealed = [self.secret_sealed]
        until = self.previous_secret_until
        if self.previous_secret_sealed and until is not None and until > now:
            sealed.append(self.previous_secret_sealed)
        return sealed


@dataclass(frozen=True)
class HttpResult:
    """What one POST gave: a status code, or a transport error (timeout, refused, ...)."""

    status_code: int | None
    retry_after: str | None
    error: str | None
    duration_ms: int


@dataclass
class WebhookDelivery:
    """One event for one subscription, ever; every attempt made to send it."""

    id: str
    event_id: str
    subscription_id: str
    partner: str
    event_type: str
    correlation_id: str | None
    body: str
    created_at: datetime
    status: DeliveryState = "pending"
    attempts: list[dict[str, Any]] = field(default_factory=list)
    due_at: datetime | None = None
    completed_at: datetime | None = None
    last_error: str | None = None
    # the claim of the worker sending it (`LeasedQueue`); None when not claimed
    lease: str | None = None

    @property
    def attempt_count(self) -> int:
        return len(self.attempts)

    def record(
        self, result: HttpResult, policy: RetryPolicy, now: datetime, *, final: bool = False
    ) -> Outcome:
        """Record one attempt and close or reschedule; `final`: it failed for good
        whatever the result (it could not even be sent)."""
        number = self.attempt_count + 1
        outcome: Outcome = (
            "failed"
            if final
            else "retry"
            if result.status_code is None
            else classify_status(result.status_code)
        )
        self.last_error = result.error
        if outcome == "retry":
            next_at = policy.next_attempt_at(
                attempt=number,
                now=now,
                created_at=self.created_at,
                retry_after=parse_retry_after(result.retry_after, now=now),
            )
            if next_at is None:
                outcome = "failed"
            else:
                self.due_at = next_at
        if outcome != "retry":
            self.status, self.completed_at, self.due_at = outcome, now, None
        self.attempts.append(
            {
                "number": number,
                "at": now,
                "status_code": result.status_code,
                "error": result.error,
                "duration_ms": result.duration_ms,
                "outcome": outcome,
            }
        )
        return outcome
