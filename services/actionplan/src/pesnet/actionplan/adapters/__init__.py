"""Adapters of the actionplan service: MongoDB repositories and other I/O."""
