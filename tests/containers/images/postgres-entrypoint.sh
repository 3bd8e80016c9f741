#!/bin/sh
# First start: create the cluster in $PGDATA for POSTGRES_USER (password POSTGRES_PASSWORD) and
# the database POSTGRES_DB, like the official image. The set-up server listens on a private
# socket directory only, so pg_isready (and the service waiting on it) sees the database only
# once it is really ready. Then run postgres in the foreground as PID 1.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    pwfile="$(mktemp)"
    printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}" > "$pwfile"
    initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
    printf 'host all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
    setup_socket="$(mktemp -d)"
    pg_ctl -D "$PGDATA" -w -s -o "-c listen_addresses='' -c unix_socket_directories=$setup_socket" start
    if [ "$db" != postgres ]; then
        psql -v ON_ERROR_STOP=1 -qh "$setup_socket" -U "$user" -d postgres \
            -c "CREATE DATABASE \"$db\""
    fi
    pg_ctl -D "$PGDATA" -w -s -m fast stop
    rmdir "$setup_socket"
    echo "docker-entrypoint: created database $db for $user in $PGDATA"
fi

if [ "${1:-}" = postgres ]; then
    shift
    exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
fi
exec "$@"
