"""The institutions of the network, as far as the action plan needs them: the kernel's
projection of registration's reference (`pesnet.shared.institutions`), which this
service keeps and shows by name, in the reader's language, wherever a plan, a need, an
offer or a proposal names one; and the rule that what a request names is of it."""

from __future__ import annotations

from collections.abc import Iterable

from pesnet.shared.errors import InvalidInput
from pesnet.shared.institutions import Institution, Names, label_of, labels_of
from pesnet.shared.translation import N_

UNKNOWN_INSTITUTION = N_(
    "there is no institution {institution_id} in the network's reference (registration "
    "keeps it: the secretariat registers the institution there first)"
)


def require_known(names: Names, references: Iterable[tuple[str, str]]) -> None:
    """Every institution a request names, as (field, id) pairs, must be one of the
    reference: an unknown one is a 422 on its field."""
    for field, institution_id in references:
        if institution_id not in names:
            raise InvalidInput(
                UNKNOWN_INSTITUTION, field=field, params={"institution_id": institution_id}
            )


__all__ = [
    "UNKNOWN_INSTITUTION",
    "Institution",
    "Names",
    "label_of",
    "labels_of",
    "require_known",
]
