"""Thin entrypoints of the registration service: HTTP routes and message handlers."""
