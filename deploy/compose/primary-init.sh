#!/bin/sh
# The primary's first start (docker-entrypoint-initdb.d): a role its replica streams with.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" -c \
  "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '$REPLICATION_PASSWORD'"
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
