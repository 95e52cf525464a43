#!/bin/sh
# Writes the platform's RabbitMQ users as a definitions file, then starts the broker
# (docker-compose.yml uses it as the rabbitmq container's entrypoint). Passwords come
# from the environment and are stored only as RabbitMQ's salted SHA-256 hashes.
#   RABBITMQ_USER / RABBITMQ_PASSWORD              the services' user (the platform's
#                                                  exchanges and queues only)
#   RABBITMQ_ADMIN_USER / RABBITMQ_ADMIN_PASSWORD  operators: management UI, partners CLI,
#                                                  dead-letter replay
set -eu
: "${RABBITMQ_USER:?set RABBITMQ_USER}"
: "${RABBITMQ_PASSWORD:?set RABBITMQ_PASSWORD}"
: "${RABBITMQ_ADMIN_USER:?set RABBITMQ_ADMIN_USER}"
: "${RABBITMQ_ADMIN_PASSWORD:?set RABBITMQ_ADMIN_PASSWORD}"
out_dir="${PESNET_DEFINITIONS_DIR:-/etc/rabbitmq/definitions.d}"
# The services' queues and the platform's exchanges; generated from the code
# (pesnet.shared.broker_definitions.service_permission_pattern), checked by a unit test.
SERVICE_PERMISSIONS='^(pesnet[.](dlx|events|public|unrouted)|(actionplan|agenda|identity|notifications|notifications[.]webhooks|registration)([.]dlq)?)$'

for name in "$RABBITMQ_USER" "$RABBITMQ_ADMIN_USER"; do
  case "$name" in
    guest) echo "render-users: 'guest' is not allowed as a user name" >&2; exit 1 ;;
    *[!A-Za-z0-9_.-]*|'') echo "render-users: user names are letters, digits, '_', '.', '-'" >&2; exit 1 ;;
  esac
done
if [ "$RABBITMQ_USER" = "$RABBITMQ_ADMIN_USER" ]; then
  echo "render-users: RABBITMQ_USER and RABBITMQ_ADMIN_USER must differ" >&2; exit 1
fi

# RabbitMQ's rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)),
# with a 4-byte random salt.
password_hash() {
  work=$(mktemp -d)
  openssl rand 4 > "$work/salt"
  { cat "$work/salt"; printf '%s' "$1"; } | openssl dgst -sha256 -binary > "$work/digest"
  cat "$work/salt" "$work/digest" | openssl base64 -A
  rm -rf "$work"
}

mkdir -p "$out_dir"
umask 077
cat > "$out_dir/00-users.json" <<JSON
{
  "vhosts": [{"name": "/"}],
  "users": [
    {"name": "$RABBITMQ_USER", "password_hash": "$(password_hash "$RABBITMQ_PASSWORD")",
     "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []},
    {"name": "$RABBITMQ_ADMIN_USER", "password_hash": "$(password_hash "$RABBITMQ_ADMIN_PASSWORD")",
     "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]}
  ],
  "permissions": [
    {"user": "$RABBITMQ_USER", "vhost": "/", "configure": "$SERVICE_PERMISSIONS",
     "write": "$SERVICE_PERMISSIONS", "read": "$SERVICE_PERMISSIONS"},
    {"user": "$RABBITMQ_ADMIN_USER", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}
  ]
}
JSON
if id rabbitmq >/dev/null 2>&1; then chown rabbitmq "$out_dir/00-users.json"; fi

if [ "$#" -gt 0 ]; then
  exec docker-entrypoint.sh "$@"
fi
