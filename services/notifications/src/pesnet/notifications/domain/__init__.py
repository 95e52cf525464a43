"""Pure domain model of the notifications service: no I/O, no framework."""
