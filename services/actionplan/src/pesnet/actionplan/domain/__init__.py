"""Pure domain model of the actionplan service: no I/O, no framework."""
