"""Use cases of the actionplan service."""
