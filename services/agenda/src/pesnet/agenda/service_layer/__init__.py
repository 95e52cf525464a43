"""Use cases of the agenda service."""
