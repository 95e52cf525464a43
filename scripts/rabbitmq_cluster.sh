#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this machine, from the installed RabbitMQ, for
# `make test-cluster`: nodes pesnet-c1..3@localhost, AMQP 5690-5692, management
# 15690-15692, distribution 25690-25692, each with its own config, plugins file, and
# data and log directories (owned by the rabbitmq user) under $PESNET_CLUSTER_DIR
# (default /tmp/pesnet-cluster-<checksum of this checkout's path>: the rabbitmq user must
# reach it, and a checkout may sit in a folder only its owner can enter); the Erlang
# cookie is the rabbitmq user's, shared by all.
#   scripts/rabbitmq_cluster.sh start        start the three nodes, cluster them
#   scripts/rabbitmq_cluster.sh stop         stop them and delete their data
#   scripts/rabbitmq_cluster.sh stop-node N  stop node N (1-3) (stop_app: the node leaves)
#   scripts/rabbitmq_cluster.sh start-node N start node N again (start_app)
set -euo pipefail
CHECKOUT=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${PESNET_CLUSTER_DIR:-${TMPDIR:-/tmp}/pesnet-cluster-$(printf %s "$CHECKOUT" | cksum | cut -d' ' -f1)}
mkdir -p "$ROOT" && chmod 755 "$ROOT"
node() { echo "pesnet-c$1@localhost"; }
ctl() { local n=$1; shift; rabbitmqctl -q -n "$(node "$n")" "$@"; }
up() { (exec 3<>/dev/tcp/127.0.0.1/$((5689 + $1))) 2>/dev/null; }

start_one() {
  local n=$1 d=$ROOT/n$1 amqp=$((5689 + $1)) mgmt=$((15689 + $1)) dist=$((25689 + $1))
  mkdir -p "$d/mnesia" "$d/log"
  cat > "$d/rabbitmq.conf" <<CONF
listeners.tcp.local = 127.0.0.1:$amqp
management.tcp.port = $mgmt
management.tcp.ip = 127.0.0.1
loopback_users = none
CONF
  echo "[rabbitmq_management]." > "$d/enabled_plugins"
  if id rabbitmq >/dev/null 2>&1; then chown -R rabbitmq:rabbitmq "$d"; fi
  up "$n" && return 0
  (
    export RABBITMQ_NODENAME=$(node "$n") RABBITMQ_NODE_PORT=$amqp RABBITMQ_DIST_PORT=$dist \
      RABBITMQ_CONFIG_FILE=$d/rabbitmq RABBITMQ_ENABLED_PLUGINS_FILE=$d/enabled_plugins \
      RABBITMQ_MNESIA_BASE=$d/mnesia RABBITMQ_LOG_BASE=$d/log RABBITMQ_PID_FILE=$d/pid
    ulimit -n 20000 || true
    rabbitmq-server -detached
  )
}

wait_up() {
  for _ in $(seq 1 120); do
    if up "$1" && ctl "$1" await_startup >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "node $(node "$1") did not come up; see $ROOT/n$1/log" >&2
  return 1
}

case "${1:-}" in
  start)
    for n in 1 2 3; do start_one "$n"; done
    for n in 1 2 3; do wait_up "$n"; done
    for n in 2 3; do
      if ! ctl "$n" cluster_status --formatter json 2>/dev/null | grep -q "$(node 1)"; then
        ctl "$n" stop_app
        ctl "$n" join_cluster "$(node 1)"
        ctl "$n" start_app
      fi
    done
    for n in 1 2 3; do wait_up "$n"; done
    echo "cluster up: amqp 5690-5692, management 15690-15692"
    ;;
  stop)
    for n in 1 2 3; do
      if [ -f "$ROOT/n$n/pid" ] || up "$n"; then ctl "$n" stop >/dev/null 2>&1 || true; fi
    done
    rm -rf "$ROOT"
    ;;
  stop-node) ctl "$2" stop_app ;;
  start-node) ctl "$2" start_app; wait_up "$2" ;;
  *) sed -n 2,11p "$0" >&2; exit 2 ;;
esac
