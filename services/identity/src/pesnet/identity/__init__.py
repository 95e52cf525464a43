"""OIC-PESNET identity service: accounts, roles and access tokens."""
