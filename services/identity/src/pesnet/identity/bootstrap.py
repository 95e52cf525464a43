"""Wires the identity service (to come)."""
