"""Adapters of the notifications service: MongoDB repositories and other I/O."""
