"""OIC-PESNET notifications service."""
