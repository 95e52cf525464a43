"""Reference data every service may need: the 57 OIC member states (ISO 3166-1
alpha-3, names in ar/en/fr, OIC regional group). Packaged with the kernel."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pesnet.shared.i18n import Localized

OICGroup = Literal["arab", "asian", "african"]


class MemberState(BaseModel):
    model_config = ConfigDict(frozen=True)

    iso3: str
    name: Localized
    # None where the source could not confirm the group (Guyana, Suriname)
    oic_group: OICGroup | None = None


@cache
def member_states() -> dict[str, MemberState]:
    raw = json.loads(files("pesnet.shared").joinpath("data/oic-member-states.json").read_text())
    return {m["iso3"]: MemberState.model_validate(m) for m in raw["member_states"]}


def is_member_state(iso3: str) -> bool:
    return iso3 in member_states()
