"""Adapters of the registration service: MongoDB repositories and other I/O."""
