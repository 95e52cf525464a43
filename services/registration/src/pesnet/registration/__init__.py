"""OIC-PESNET registration service."""
