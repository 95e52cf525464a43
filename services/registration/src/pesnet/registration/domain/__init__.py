"""Pure domain model of the registration service: no I/O, no framework."""
