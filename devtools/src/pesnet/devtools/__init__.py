"""Development and test infrastructure (never used in production)."""
