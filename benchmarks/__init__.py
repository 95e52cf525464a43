"""`make bench`: the speed of the whole path, measured against the machine's own limit in
one run (see `benchmarks/__main__.py` and the README's Performance section)."""
