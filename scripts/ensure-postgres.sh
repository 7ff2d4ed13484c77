#!/usr/bin/env bash
# The local PostgreSQL running, with the role antq_ci (login, may create databases) that the
# PostgreSQL test run and benchmarks use. Idempotent; needs the server's trust auth on
# loopback for the postgres superuser, as on the development and CI machines.
set -euo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'antq_ci') THEN
    CREATE ROLE antq_ci LOGIN CREATEDB;
  END IF;
END $$;
SQL
