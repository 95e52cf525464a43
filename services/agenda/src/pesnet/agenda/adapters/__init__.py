"""Adapters of the agenda service: MongoDB repositories and other I/O."""
