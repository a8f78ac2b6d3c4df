#!/bin/sh
# The replica of the "scale" profile (docker-compose.yml): on an empty data volume, copy the
# primary with pg_basebackup -R (which writes standby.signal and primary_conninfo), then hand over
# to the postgres image's own entrypoint, which finds a data folder and starts it: a hot standby
# streaming from the primary through the slot 02-replication.sh made there.
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
: "${PRIMARY_HOST:?set PRIMARY_HOST}"
: "${PRIMARY_PORT:=5432}"
: "${REPLICATION_USER:=replicator}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
: "${REPLICATION_SLOT:=replica1}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  until pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"; do
    echo "replica: waiting for $PRIMARY_HOST:$PRIMARY_PORT"
    sleep 2
  done
  echo "replica: copying $PRIMARY_HOST with pg_basebackup (slot $REPLICATION_SLOT)"
  # A copy that fails half-way must not look like a data folder at the next start.
  if ! gosu postgres pg_basebackup --pgdata="$PGDATA" --write-recovery-conf \
    --wal-method=stream --slot="$REPLICATION_SLOT" --checkpoint=fast --progress \
    --dbname="host=$PRIMARY_HOST port=$PRIMARY_PORT user=$REPLICATION_USER password=$REPLICATION_PASSWORD application_name=replica"; then
    find "$PGDATA" -mindepth 1 -delete
    exit 1
  fi
fi

exec docker-entrypoint.sh "$@"
