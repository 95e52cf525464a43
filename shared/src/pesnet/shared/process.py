"""What a long-running process of the platform sets once, when it has started."""

from __future__ import annotations

import gc

# allocations between two collections of the youngest generation (Python's default: 700),
# and collections of each generation between two of the next (default: 10 and 10)
GC_THRESHOLDS = (50_000, 20, 20)


def settle_garbage_collection() -> None:
    """Tune Python's cyclic garbage collector for a server.

    What exists once the process has started (modules, templates, the app, the catalog)
    lives as long as the process: `gc.freeze` takes it out of every later pass. And with
    the default thresholds a page of 2,000 registrations ran the collector hundreds of
    times, a pass over the whole heap among them: the slowest requests' extra 100-250 ms
    (the bench's pages: p95 twice the median before, a fifth above it after). The
    collector still runs; memory held by garbage cycles is freed a little later."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
