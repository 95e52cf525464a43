"""What every part of a plan shares: a pydantic entity (mutable, as an aggregate's parts
are), new ids, and the rule that a text a plan publishes exists in ar, en and fr."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict

from pesnet.shared.errors import InvalidInput
from pesnet.shared.i18n import Localized
from pesnet.shared.terms import LANGUAGE_NAMES, listing
from pesnet.shared.translation import _


class Entity(BaseModel):
    model_config = ConfigDict(validate_assignment=False)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def require_complete(text: Localized, field: str) -> None:
    if missing := text.missing():
        raise InvalidInput(
            _("missing the {languages} text"),
            field=f"{field}.{missing[0]}",
            params={"languages": listing(LANGUAGE_NAMES[lang] for lang in missing)},
        )
