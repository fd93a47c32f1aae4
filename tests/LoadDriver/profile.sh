#!/usr/bin/env bash
# Profiles the host under a Bench scenario: the wallet checkout on SQLite (row 4a), the bank-transfer
# order confirmation (row 4d, the first phase of `orders`), the wallet checkout on PostgreSQL (row 4b,
# `postgres`, on the throwaway server PROFILE_POSTGRES names, in a new hosting_profile_* database each
# run), the sign-in load (row 2b, `signin`) or the read RPC GetOrganization (row 3, `read`), both phases
# of the driver's `signin` step. Samples the host's threads with dotnet-trace for 20 s in the middle of
# the load, then prints where its CPU goes (profile-breakdown.py).
# Usage: tests/LoadDriver/profile.sh [wallet|orders|postgres|signin|read] [output folder]
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=wallet
case "${1:-}" in wallet|orders|postgres|signin|read) scenario=$1; shift ;; esac
step=$scenario
[ "$scenario" != read ] || step=signin
out=${1:-artifacts/profile}
mkdir -p "$out" artifacts/bench
tools=artifacts/tools
[ -x "$tools/dotnet-trace" ] || dotnet tool install dotnet-trace --version 10.0.750501 --tool-path "$tools" >/dev/null
dotnet build -c Release src/GrpcHost >/dev/null
dotnet build -c Release tests/LoadDriver >/dev/null

host="$PWD/src/GrpcHost/bin/Release/net10.0/Hosting.GrpcHost.dll"
server=()
if [ "$scenario" = postgres ]; then
    [ -n "${PROFILE_POSTGRES:-}" ] || { echo "set PROFILE_POSTGRES to an Npgsql connection string of a throwaway server" >&2; exit 2; }
    server=(--postgres "$PROFILE_POSTGRES;Database=hosting_profile_$(date +%s)")
fi
dotnet tests/LoadDriver/bin/Release/net10.0/Hosting.LoadDriver.dll --repo . --only "$step" --seconds 40 --out "$out" "${server[@]}" >"$out/driver.log" 2>&1 &
driver=$!
pid=
for _ in $(seq 120); do
    pid=$(pgrep -f "^dotnet $host" | head -1 || true)
    [ -n "$pid" ] && break
    sleep 1
done
[ -n "$pid" ] || { echo "the host did not start; see $out/driver.log" >&2; exit 1; }
# Customers are made and their wallets topped up first; sample once the checkouts (or confirmations) run.
# The sign-in load starts after the hashing rate is measured, the read after its echo reference.
marker=
case "$scenario" in signin) marker="hashing capacity" ;; read) marker="echo Health/Check" ;; esac
if [ -n "$marker" ]; then
    for _ in $(seq 600); do grep -q "$marker" "$out/driver.log" && break; sleep 1; done
    sleep 6 # past the 3 s warm-up
else
    sleep 14
    [ "$scenario" != postgres ] || sleep 10 # 64 customers to make first
fi
"$tools/dotnet-trace" collect -p "$pid" --profile dotnet-sampled-thread-time --duration 00:00:00:20 -o "$out/$scenario.nettrace" >/dev/null
if [ "$scenario" != wallet ]; then
    # The rest of the scenario (filling to-pay, the payments, the references) is not sampled.
    kill "$driver" "$pid" 2>/dev/null || true
fi
wait "$driver" || true
"$tools/dotnet-trace" convert "$out/$scenario.nettrace" --format Speedscope -o "$out/$scenario" >/dev/null
grep -E "wallet payment|order confirmation|raw" "$out/driver.log" | head -2 || true
python3 tests/LoadDriver/profile-breakdown.py "$out/$scenario.speedscope.json"
