#!/usr/bin/env bash
# Installs PostgreSQL from Debian's packages if needed, starts a throwaway cluster on 127.0.0.1
# and runs the PostgreSQL half of the suite (the *Postgres test classes) against it.
# Prints dotnet test's summary line, which .ci/run adds to its totals.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
fi
pgbin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cluster=$(mktemp -d)
chmod 755 "$cluster"
install -d -o postgres -g postgres -m 700 "$cluster/data" "$cluster/sock"
runuser -u postgres -- "$pgbin/initdb" -D "$cluster/data" -U postgres -A trust --no-sync >/dev/null
# Start and stop commands, kept as scripts so that the store outage test can stop the server and start it again.
cat > "$cluster/start.sh" <<EOS
runuser -u postgres -- "$pgbin/pg_ctl" -D "$cluster/data" -l "$cluster/data/server.log" -w \\
    -o "-c listen_addresses=127.0.0.1 -p $port -k $cluster/sock -c max_connections=300 -c fsync=off" start >/dev/null
EOS
cat > "$cluster/stop.sh" <<EOS
runuser -u postgres -- "$pgbin/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null
EOS
bash "$cluster/start.sh"
trap 'runuser -u postgres -- "$pgbin/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$cluster"' EXIT

echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
export HOSTING_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres"
status=0
dotnet test --no-build --filter "FullyQualifiedName~Postgres&FullyQualifiedName!~StoreOutage" || status=1

# Alone, since it stops the server under every other connection.
echo "Store outage: stopping and restarting PostgreSQL under a running host"
HOSTING_TEST_POSTGRES_STOP="bash $cluster/stop.sh" HOSTING_TEST_POSTGRES_START="bash $cluster/start.sh" \
    dotnet test --no-build --filter "FullyQualifiedName~StoreOutage" || status=1
exit $status
