#!/bin/sh
# Installs the Debian packages Quorumwatch's tests, benchmarks and local cluster run against:
# real servers, never mocks. As root it runs apt-get; otherwise it prints the command to run.
# Usage: system-deps.sh [--require]   (with --require, exit 1 when something is still missing)
set -eu

# binary:package pairs
DEPS="nats-server:nats-server
prometheus:prometheus
promtool:prometheus
prometheus-node-exporter:prometheus-node-exporter
etcd:etcd-server
etcdctl:etcd-client
amtool:prometheus-alertmanager"

missing_packages() {
  echo "$DEPS" | while IFS=: read -r bin pkg; do
    command -v "$bin" >/dev/null 2>&1 || echo "$pkg"
  done | sort -u | tr '\n' ' '
}

missing=$(missing_packages)
if [ -z "$missing" ]; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing $missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing >&2
  # The packages' services must not run: tests start their own servers on free ports.
  for svc in prometheus prometheus-node-exporter prometheus-alertmanager nats-server etcd; do
    if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
  done
  missing=$(missing_packages)
fi

if [ -n "$missing" ]; then
  echo "system-deps: missing Debian packages: $missing" >&2
  echo "system-deps: install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing" >&2
  if [ "${1:-}" = "--require" ]; then exit 1; fi
fi
