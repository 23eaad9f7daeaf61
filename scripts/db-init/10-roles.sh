#!/usr/bin/env bash
# First start of the compose database: the schema owner (migrations) and the runtime role the
# service connects as. Runs once, as the superuser, from docker-entrypoint-initdb.d.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$CADRE_DB_OWNER_PASSWORD" -v app_password="$CADRE_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE cadre_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE cadre_app LOGIN PASSWORD :'app_password';
CREATE DATABASE cadre OWNER cadre_owner ENCODING 'UTF8';
REVOKE ALL ON DATABASE cadre FROM PUBLIC;
GRANT CONNECT ON DATABASE cadre TO cadre_app;
\connect cadre
ALTER SCHEMA public OWNER TO cadre_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
