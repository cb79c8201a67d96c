#!/usr/bin/env bash
# Makes sure the servers the tests need are up: PostgreSQL (127.0.0.1:5432, database `test`, trust auth)
# and Redis (127.0.0.1:6379). Starts them when they are installed but stopped; says exactly what to
# install when they are missing. Shared by `npm test` and .ci/run. TEST_POSTGRES_URL: use that server as it is.
set -euo pipefail

fail() {
  echo "tollgate tests: $*" >&2
  exit 1
}

ensure_postgres() {
  if [ -n "${TEST_POSTGRES_URL:-}" ]; then
    psql "$TEST_POSTGRES_URL" -c 'select 1' >/dev/null 2>&1 || fail "TEST_POSTGRES_URL ($TEST_POSTGRES_URL) does not answer."
    return
  fi
  command -v pg_isready >/dev/null || fail "PostgreSQL is not installed. Debian/Ubuntu: apt-get install -y postgresql; then allow trust auth from 127.0.0.1 and create a 'test' database (or set TEST_POSTGRES_URL)."
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    local cluster
    cluster="$(ls /etc/postgresql 2>/dev/null | head -n1)"
    [ -n "$cluster" ] && command -v pg_ctlcluster >/dev/null || fail "PostgreSQL is installed but no cluster was found to start; start a server on 127.0.0.1:5432 (or set TEST_POSTGRES_URL)."
    echo "starting PostgreSQL $cluster"
    pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
    pg_isready -h 127.0.0.1 -p 5432 -q || fail "PostgreSQL did not come up on 127.0.0.1:5432."
  fi
  psql -h 127.0.0.1 -d test -c 'select 1' >/dev/null 2>&1 || fail "PostgreSQL answers, but the 'test' database is missing or refuses this user: createdb -h 127.0.0.1 test, with trust auth for 127.0.0.1 (or set TEST_POSTGRES_URL)."
}

ensure_redis() {
  command -v redis-server >/dev/null || fail "Redis is not installed. Debian/Ubuntu: apt-get install -y redis-server."
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || fail "Redis did not come up on 127.0.0.1:6379."
  fi
}

ensure_postgres
ensure_redis
