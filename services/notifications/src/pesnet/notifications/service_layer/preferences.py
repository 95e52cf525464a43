"""What a person does through the signed link of their mails (their preferences), and
who may read the delivery log of an address."""

from __future__ import annotations

from pesnet.notifications.domain.commands import ChangePreferences, ShowDeliveryLog
from pesnet.notifications.domain.deliveries import Delivery
from pesnet.notifications.domain.model import Links, normalize_address
from pesnet.notifications.domain.recipients import Preferences, Recipient
from pesnet.notifications.service_layer.unit_of_work import NotificationsUnitOfWork
from pesnet.shared.errors import NotFound, Unauthorized
from pesnet.shared.events.notifications import PreferencesChanged
from pesnet.shared.translation import _


def _owner(token: str, links: Links) -> str:
    address = links.owner(token)
    if address is None:
        raise Unauthorized(_("the preferences link is invalid"))
    return address


async def _recipient(uow: NotificationsUnitOfWork, address: str) -> Recipient:
    recipient = await uow.recipients.get(address)
    if recipient is None:
        raise NotFound(_("no notifications are known for this address"))
    return recipient


async def preferences_of(token: str, uow: NotificationsUnitOfWork, links: Links) -> Preferences:
    """What the person behind a signed link has chosen."""
    address = _owner(token, links)

    return Preferences.of(await _recipient(uow, address))


async def change_preferences(
    command: ChangePreferences, uow: NotificationsUnitOfWork, links: Links
) -> Preferences:
    """The language of future mails, and opting out of (or back into) non-critical
    ones. Notices about one's own registration or session are always sent."""
    address = _owner(command.token, links)

    async def work(uow: NotificationsUnitOfWork) -> Preferences:
        recipient = await _recipient(uow, address)
        recipient.change_preferences(command.language, command.opted_out)
        await uow.recipients.save(recipient)
        # by the holder of a signed link: no account, and no address in the trail
        uow.emit(
            PreferencesChanged(
                preferred_language=recipient.preferred_language,
                opted_out=recipient.opted_out,
            )
        )
        return Preferences.of(recipient)

    return await uow.run(work)


async def delivery_log(
    query: ShowDeliveryLog, uow: NotificationsUnitOfWork, links: Links
) -> list[Delivery]:
    """The deliveries to one address, newest first: for the secretariat, or for the
    person it is (the signed link of their mails)."""
    address = normalize_address(query.recipient)
    if not (query.open_to_all or query.by_secretariat or links.owner(query.token) == address):
        raise Unauthorized(_("a secretariat bearer token is required"))

    return await uow.deliveries.log(address)
