"""Pure domain model of the agenda service: no I/O, no framework."""
