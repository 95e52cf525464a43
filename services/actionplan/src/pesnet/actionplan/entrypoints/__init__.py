"""Thin entrypoints of the actionplan service: HTTP routes and message handlers."""
