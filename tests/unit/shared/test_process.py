"""A service's process settles its garbage collector once it has started (`serve`)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from pesnet.shared.process import GC_THRESHOLDS, settle_garbage_collection


@pytest.fixture
def collector_restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("collector_restored")
def test_what_exists_at_start_is_left_out_of_later_passes_and_young_objects_wait() -> None:
    started_with = {"app": ["templates", "routes"]}  # lives as long as the process
    settle_garbage_collection()

    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == GC_THRESHOLDS
    assert GC_THRESHOLDS[0] > 700  # Python's default: a pass every 700 allocations
    assert all(o is not started_with for o in gc.get_objects())  # frozen: no pass sees it
