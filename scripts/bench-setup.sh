#!/usr/bin/env bash
# `make bench` set-up: PostgreSQL (as for the tests) and hey, the load generator the API-read benchmark
# drives from another process (Debian's package).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-setup.sh
if ! command -v hey >/dev/null 2>&1; then
  echo "bench-setup: installerer hey"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q hey >/dev/null || {
    $SUDO apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q hey >/dev/null; }
fi
