"""Use cases of the registration service."""
