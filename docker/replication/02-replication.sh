#!/bin/sh
# The primary of the "scale" profile (docker-compose.yml), run once by the postgres image when its
# data volume is new, after 01-app-role.sql: a role that may only replicate, a physical slot for
# the replica (the primary keeps the WAL it has not received, up to max_slot_wal_keep_size), and
# the pg_hba line that lets it connect for replication with a password. The image restarts the
# server after its init scripts, so the new line is read then. (No `set -u`: the image sources a
# script that is not executable, and the option would stay on in its own shell.)
set -e

: "${REPLICATION_USER:=replicator}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
: "${REPLICATION_SLOT:=replica1}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v user="$REPLICATION_USER" -v password="$REPLICATION_PASSWORD" -v slot="$REPLICATION_SLOT" <<'SQL'
CREATE ROLE :"user" WITH REPLICATION LOGIN PASSWORD :'password';
SELECT pg_create_physical_replication_slot(:'slot');
SQL

echo "host replication $REPLICATION_USER all scram-sha-256" >> "$PGDATA/pg_hba.conf"
