"""OIC-PESNET agenda service."""
