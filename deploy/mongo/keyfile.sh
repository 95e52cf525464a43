#!/bin/sh
# The mongo container's entrypoint (docker-compose.yml): writes the replica set's internal
# authentication key from MONGO_REPLICA_SET_KEY (base64 characters, 6 to 1024 of them:
# `openssl rand -base64 96 | tr -d '\n'`) where only mongod can read it, then starts the
# image's own entrypoint. With a key file mongod also enforces authentication.
set -eu
: "${MONGO_REPLICA_SET_KEY:?set MONGO_REPLICA_SET_KEY}"
keyfile=/etc/mongo-keyfile
umask 077
printf '%s' "$MONGO_REPLICA_SET_KEY" > "$keyfile"
chown mongodb:mongodb "$keyfile"
chmod 400 "$keyfile"
exec docker-entrypoint.sh "$@"
