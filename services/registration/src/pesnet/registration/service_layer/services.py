"""The registration service's use cases, one object per area (a thin facade that
wires them; the entrypoints call `service.<area>.<use case>`):

| attribute | module | what |
|---|---|---|
| `meetings` | `meetings.py` | meetings opened by the agenda's event or the dev seed |
| `registering` | `registering.py` | register, read, list, correct |
| `accreditation` | `accreditation.py` | confirm, reject, withdraw; quota, waitlist, promotion |
| `check_in` | `check_in.py` | check-in (by registration or badge), check-in list, badge access |
| `delegations` | `delegations.py` | delegation counters, public summary and its event |
| `privacy` | `privacy.py` | purge of personal data |
| `access` | `access.py` | who is calling; focal-point tokens |

They share a `ServiceContext` (`context.py`: repository, transaction, outbox, views)
and `idempotency.py` (`Idempotency-Key`). Each use case that changes state runs in
one MongoDB transaction that also writes the events it causes to the outbox; all
persistence goes through `adapters/repository.py`.
"""

from __future__ import annotations

from pesnet.registration.adapters.repository import RegistrationRepository
from pesnet.registration.service_layer.access import Access
from pesnet.registration.service_layer.accreditation import Accreditation
from pesnet.registration.service_layer.check_in import CheckIn
from pesnet.registration.service_layer.context import ServiceContext
from pesnet.registration.service_layer.delegations import Delegations
from pesnet.registration.service_layer.meetings import Meetings
from pesnet.registration.service_layer.privacy import Privacy
from pesnet.registration.service_layer.registering import Registering
from pesnet.shared.mongo import Client, Database
from pesnet.shared.outbox import Outbox


class RegistrationService:
    def __init__(
        self,
        client: Client,
        db: Database,
        outbox: Outbox,
        *,
        badge_secret: bytes,
        public_url: str,
        default_quota: int | None,
    ) -> None:
        self.context = ServiceContext(
            client,
            RegistrationRepository(db),
            outbox,
            badge_secret=badge_secret,
            public_url=public_url,
            default_quota=default_quota,
        )
        self.delegations = Delegations(self.context)
        self.meetings = Meetings(self.context)
        self.registering = Registering(self.context, self.delegations)
        self.accreditation = Accreditation(self.context, self.delegations)
        self.check_in = CheckIn(self.context)
        self.privacy = Privacy(self.context)
        self.access = Access(self.context)
