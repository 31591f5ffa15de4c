#!/usr/bin/env bash
# What the test suite needs besides the Python packages: PostgreSQL at 127.0.0.1:5432 (trust auth, user
# postgres), LibreOffice (a test opens the Excel reports with it) and Debian's Chromium (the dashboard's browser
# tests drive it with Playwright; no browser is downloaded). Idempotent and quiet when all is there.
# Called by `make test` (and so by .ci/run); as root it installs and starts what is missing, without systemd.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
APT_UPDATED=

say() { echo "test-setup: $*"; }

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    say "$1 mangler, og apt-get finnes ikke her; installer det selv." >&2
    exit 1
  fi
  if [ -z "$APT_UPDATED" ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  say "installerer $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

postgres_up() { pg_isready -h "$PG_HOST" -p "$PG_PORT" -q 2>/dev/null; }

ensure_postgres() {
  if command -v pg_isready >/dev/null 2>&1 && postgres_up; then
    return
  fi
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  say "starter PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 60); do postgres_up && break; sleep 1; done
  postgres_up || { say "PostgreSQL svarer ikke på $PG_HOST:$PG_PORT" >&2; exit 1; }
  psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -tAc "select 1" >/dev/null
}

ensure_libreoffice() {
  command -v libreoffice >/dev/null 2>&1 || apt_install libreoffice-calc-nogui
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

ensure_postgres
ensure_libreoffice
ensure_chromium
