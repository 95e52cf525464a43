"""Thin entrypoints of the agenda service: HTTP routes and message handlers."""
