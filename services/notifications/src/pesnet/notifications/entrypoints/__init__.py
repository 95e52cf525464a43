"""Thin entrypoints of the notifications service: HTTP routes and message handlers."""
