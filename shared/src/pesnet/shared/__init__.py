"""The OIC-PESNET platform kernel.

What every service needs once: the CloudEvents envelope and the event catalog,
the RabbitMQ topology, the transactional outbox and the inbox, MongoDB access,
settings, structured logging, i18n and the HTTP application scaffold. Nothing
service-specific lives here.
"""
