#!/usr/bin/env bash
# Private PostgreSQL 15 on loopback, all state under one directory.
#   scripts/pg.sh start DIR PORT   -> prints the connection string on stdout
#   scripts/pg.sh stop DIR
# initdb refuses to run as root, so as root the cluster belongs to the postgres user.
# With PG_PASSWORD_FILE (a file of letters and digits, readable by the caller only) TCP connections need that password
# (scram-sha-256) and the socket admits only the postgres OS user; the connection string printed carries the password.
# Without it every local connection is trusted (throwaway test databases).
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?start|stop}; dir=${2:?directory}
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
    port=${3:?port}
    if [ ! -x "$PGBIN/initdb" ]; then
        echo "installing postgresql-15" >&2
        ${SUDO:-$( [ "$(id -u)" = 0 ] || echo sudo )} apt-get install -y -qq postgresql-15 >&2
    fi
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd -r -m postgres
        install -d -o postgres "$dir"
    else
        mkdir -p "$dir"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_owner "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if ! as_owner "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_owner "$PGBIN/pg_ctl" -D "$dir/data" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${PG_FSYNC:-on} -c shared_buffers=256MB" \
            -l "$dir/log" start >&2 || { cat "$dir/log" >&2; exit 1; }
    fi
    if [ -n "${PG_PASSWORD_FILE:-}" ]; then
        password=$(cat "$PG_PASSWORD_FILE")
        [[ $password =~ ^[A-Za-z0-9]{16,}$ ]] || { echo "pg.sh: $PG_PASSWORD_FILE must hold 16+ letters or digits" >&2; exit 1; }
        # Through the socket as the postgres OS user, before and after the lock-down (trust first, peer afterwards).
        printf "ALTER USER postgres PASSWORD '%s';\n" "$password" \
            | as_owner "$PGBIN/psql" -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres >&2
        hba="$dir/data/pg_hba.conf"
        if ! grep -q '^# scripts/pg.sh: password required' "$hba"; then
            printf '%s\n' '# scripts/pg.sh: password required' 'local all postgres peer' \
                'host all all 127.0.0.1/32 scram-sha-256' 'host all all ::1/128 scram-sha-256' | as_owner tee "$hba" >/dev/null
            as_owner "$PGBIN/pg_ctl" -D "$dir/data" reload >&2
        fi
        echo "Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=postgres"
    else
        echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    fi
    ;;
stop)
    if [ -f "$dir/data/PG_VERSION" ]; then
        as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
    fi
    ;;
*) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
