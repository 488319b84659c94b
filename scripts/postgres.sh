#!/usr/bin/env bash
# A PostgreSQL for the test suite, from Debian's packages: install if missing, start a
# cluster (no systemd needed), create the role and database, print the SQLAlchemy URL.
#
#   OMS_TEST_POSTGRES_URL=$(bash scripts/postgres.sh | tail -1) pytest tests/activities
#
# Idempotent: a second run only checks that all is in place. Run as root on Debian.
# Progress goes to stderr; the URL is the only line on stdout.
# Settings: OMS_PG_USER (oms), OMS_PG_PASSWORD (oms), OMS_PG_DB (oms_test).
set -euo pipefail
cd /  # the postgres user may not be allowed into the caller's directory

PG_USER=${OMS_PG_USER:-oms}
PG_PASSWORD=${OMS_PG_PASSWORD:-oms}
PG_DB=${OMS_PG_DB:-oms_test}
export DEBIAN_FRONTEND=noninteractive

say() { echo "postgres.sh: $*" >&2; }
die() {
    say "error: $*"
    exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages and starts a cluster)"

newest_version() {
    local binary newest=""
    for binary in /usr/lib/postgresql/*/bin/postgres; do
        [ -x "$binary" ] && newest=$(printf '%s\n%s\n' "$newest" "$binary" | sort -V | tail -1)
    done
    [ -n "$newest" ] && basename "$(dirname "$(dirname "$newest")")"
}

quiet() { # run a command, showing its output only when it fails
    local out
    if ! out=$("$@" 2>&1); then
        echo "$out" >&2
        return 1
    fi
}

install_postgres() {
    say "installing postgresql from Debian's packages"
    # An empty package list (a fresh container) needs an update first; a stale one may too.
    if ! compgen -G "/var/lib/apt/lists/*Packages*" >/dev/null; then
        quiet apt-get update -qq
    fi
    if ! quiet apt-get install -y -qq --no-install-recommends postgresql; then
        quiet apt-get update -qq
        quiet apt-get install -y -qq --no-install-recommends postgresql
    fi
}

version=$(newest_version || true)
if [ -z "$version" ] || ! command -v pg_ctlcluster >/dev/null; then
    install_postgres
    version=$(newest_version) || die "no PostgreSQL server binaries after installing"
fi

# The first cluster of that version, created if there is none.
cluster_line() { pg_lsclusters --no-header 2>/dev/null | awk -v v="$version" '$1 == v' | head -1; }
if [ -z "$(cluster_line)" ]; then
    say "creating cluster $version/main"
    quiet pg_createcluster "$version" main
fi
read -r _ cluster port status _ <<<"$(cluster_line)"

if [ "$status" != "online" ]; then
    say "starting cluster $version/$cluster on port $port"
    install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    # Another run may be starting it at the same moment: readiness below decides.
    quiet pg_ctlcluster "$version" "$cluster" start || true
fi
for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$port" || die "cluster $version/$cluster is not accepting connections"

# Role and database, created once; the password is (re)set every run. psql variables
# quote the names and the password, so any value is safe.
runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres \
    -v user="$PG_USER" -v pass="$PG_PASSWORD" -v db="$PG_DB" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'user')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'user', :'pass') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
-- A test database: commits need not wait for the disk.
SELECT format('ALTER DATABASE %I SET synchronous_commit = off', :'db') \gexec
SQL

PGPASSWORD=$PG_PASSWORD psql -X -q -h 127.0.0.1 -p "$port" -U "$PG_USER" -d "$PG_DB" \
    -c 'SELECT 1' >/dev/null || die "cannot log in as $PG_USER over TCP (check pg_hba.conf)"

urlencode() {
    local s=$1 out="" c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
        [a-zA-Z0-9._~-]) out+=$c ;;
        *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

say "ready: PostgreSQL $version, database $PG_DB on 127.0.0.1:$port"
echo "postgresql+psycopg://$(urlencode "$PG_USER"):$(urlencode "$PG_PASSWORD")@127.0.0.1:$port/$(urlencode "$PG_DB")"
