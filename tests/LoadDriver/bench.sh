#!/usr/bin/env bash
# The Bench target of build.cake: in-process benchmarks, then the load driver against the host
# (Release build), with a throwaway PostgreSQL cluster for the PostgreSQL scenarios. Writes
# docs/performance.md and docs/performance.json. Needs root for apt-get and the cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."

need=()
command -v argon2 >/dev/null || need+=(argon2)
[ -x /usr/lib/postgresql/15/bin/pgbench ] || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
    apt-get install -y "${need[@]}" >/dev/null
fi

out=artifacts/bench
mkdir -p "$out"

PGBIN=/usr/lib/postgresql/15/bin
pg=$(mktemp -d)
chmod 755 "$pg"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
install -d -o postgres -g postgres -m 700 "$pg/data" "$pg/sock"
runuser -u postgres -- "$PGBIN/initdb" -D "$pg/data" -U postgres -A trust --no-sync >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$pg/data" -l "$pg/data/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $pg/sock" start >/dev/null
trap 'runuser -u postgres -- "$PGBIN/pg_ctl" -D "$pg/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pg"' EXIT

dotnet tests/Benchmarks/bin/Release/net10.0/Hosting.Benchmarks.dll "$out/hashing.json" "$out/bdn"
dotnet tests/LoadDriver/bin/Release/net10.0/Hosting.LoadDriver.dll --repo . --hashing "$out/hashing.json" --out docs \
    --postgres "Host=127.0.0.1;Port=$port;Username=postgres;Database=hosting_bench" --pgbench "$PGBIN/pgbench" "$@"

# The reliability soak: five minutes at a steady rate, figures into docs/reliability.md.
dotnet tests/LoadDriver/bin/Release/net10.0/Hosting.LoadDriver.dll --repo . --soak 300 --rate 50
