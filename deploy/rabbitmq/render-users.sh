#!/bin/sh
# Writes the platform's RabbitMQ users as a definitions file, then starts the broker
# (docker-compose.yml uses it as the rabbitmq container's entrypoint). Passwords come
# from the environment and are stored only as RabbitMQ's salted SHA-256 hashes.
#   RABBITMQ_<SERVICE>_PASSWORD                    the user `pesnet-<service>` of each of
#                                                  the five services: its own queues and
#                                                  the platform's exchanges, nothing else
#   RABBITMQ_ADMIN_USER / RABBITMQ_ADMIN_PASSWORD  operators: management UI, partners CLI,
#                                                  dead-letter replay
set -eu
: "${RABBITMQ_ADMIN_USER:?set RABBITMQ_ADMIN_USER}"
: "${RABBITMQ_ADMIN_PASSWORD:?set RABBITMQ_ADMIN_PASSWORD}"
: "${RABBITMQ_REGISTRATION_PASSWORD:?set RABBITMQ_REGISTRATION_PASSWORD}"
: "${RABBITMQ_AGENDA_PASSWORD:?set RABBITMQ_AGENDA_PASSWORD}"
: "${RABBITMQ_ACTIONPLAN_PASSWORD:?set RABBITMQ_ACTIONPLAN_PASSWORD}"
: "${RABBITMQ_NOTIFICATIONS_PASSWORD:?set RABBITMQ_NOTIFICATIONS_PASSWORD}"
: "${RABBITMQ_IDENTITY_PASSWORD:?set RABBITMQ_IDENTITY_PASSWORD}"
out_dir="${PESNET_DEFINITIONS_DIR:-/etc/rabbitmq/definitions.d}"

# What each service's user may configure, write and read: generated from the code
# (scripts/generate_rabbitmq_definitions.py, service_permissions), checked by a unit test.
PERMISSIONS_REGISTRATION='^(pesnet[.](dlx|events|public|unrouted)|(registration)([.]dlq)?)$'
PERMISSIONS_AGENDA='^(pesnet[.](dlx|events|public|unrouted)|(agenda)([.]dlq)?)$'
PERMISSIONS_ACTIONPLAN='^(pesnet[.](dlx|events|public|unrouted)|(actionplan)([.]dlq)?)$'
PERMISSIONS_NOTIFICATIONS='^(pesnet[.](dlx|events|public|unrouted)|(notifications|notifications[.]webhooks)([.]dlq)?)$'
PERMISSIONS_IDENTITY='^(pesnet[.](dlx|events|public|unrouted)|(identity)([.]dlq)?)$'

case "$RABBITMQ_ADMIN_USER" in
  guest) echo "render-users: 'guest' is not allowed as a user name" >&2; exit 1 ;;
  pesnet-registration|pesnet-agenda|pesnet-actionplan|pesnet-notifications|pesnet-identity)
    echo "render-users: RABBITMQ_ADMIN_USER must not be a service's user" >&2; exit 1 ;;
  *[!A-Za-z0-9_.-]*|'') echo "render-users: user names are letters, digits, '_', '.', '-'" >&2; exit 1 ;;
esac

# RabbitMQ's rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)),
# with a 4-byte random salt.
password_hash() {
  work=$(mktemp -d)
  openssl rand 4 > "$work/salt"
  { cat "$work/salt"; printf '%s' "$1"; } | openssl dgst -sha256 -binary > "$work/digest"
  cat "$work/salt" "$work/digest" | openssl base64 -A
  rm -rf "$work"
}

user() {  # name password tags
  printf '    {"name": "%s", "password_hash": "%s",\n     "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": %s}' \
    "$1" "$(password_hash "$2")" "$3"
}

permission() {  # user pattern
  printf '    {"user": "%s", "vhost": "/", "configure": "%s", "write": "%s", "read": "%s"}' \
    "$1" "$2" "$2" "$2"
}

mkdir -p "$out_dir"
umask 077
{
  printf '{\n  "vhosts": [{"name": "/"}],\n  "users": [\n'
  user pesnet-registration "$RABBITMQ_REGISTRATION_PASSWORD" '[]'; printf ',\n'
  user pesnet-agenda "$RABBITMQ_AGENDA_PASSWORD" '[]'; printf ',\n'
  user pesnet-actionplan "$RABBITMQ_ACTIONPLAN_PASSWORD" '[]'; printf ',\n'
  user pesnet-notifications "$RABBITMQ_NOTIFICATIONS_PASSWORD" '[]'; printf ',\n'
  user pesnet-identity "$RABBITMQ_IDENTITY_PASSWORD" '[]'; printf ',\n'
  user "$RABBITMQ_ADMIN_USER" "$RABBITMQ_ADMIN_PASSWORD" '["administrator"]'
  printf '\n  ],\n  "permissions": [\n'
  permission pesnet-registration "$PERMISSIONS_REGISTRATION"; printf ',\n'
  permission pesnet-agenda "$PERMISSIONS_AGENDA"; printf ',\n'
  permission pesnet-actionplan "$PERMISSIONS_ACTIONPLAN"; printf ',\n'
  permission pesnet-notifications "$PERMISSIONS_NOTIFICATIONS"; printf ',\n'
  permission pesnet-identity "$PERMISSIONS_IDENTITY"; printf ',\n'
  permission "$RABBITMQ_ADMIN_USER" '.*'
  printf '\n  ]\n}\n'
} > "$out_dir/00-users.json"
if id rabbitmq >/dev/null 2>&1; then chown rabbitmq "$out_dir/00-users.json"; fi

if [ "$#" -gt 0 ]; then
  exec docker-entrypoint.sh "$@"
fi
