"""OIC-PESNET actionplan service."""
