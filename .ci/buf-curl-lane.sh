#!/usr/bin/env bash
# Starts the host as the README says, on a throwaway data folder and port, and calls health,
# SignUp and SignIn with `buf curl` through server reflection alone (no proto files given).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
port=${BUF_LANE_PORT:-50971}
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

if [ ! -x "$work/tools/node_modules/.bin/buf" ]; then
    (cd "$work" && mkdir -p tools && cd tools && npm init -y >/dev/null && npm install --no-audit --no-fund @bufbuild/buf@1.75.0 >/dev/null)
fi
buf="$work/tools/node_modules/.bin/buf"

dotnet run --project src/GrpcHost --no-build -- --urls "http://127.0.0.1:$port" \
    "--Storage:ConnectionString=Data Source=$work/hosting.db" >"$work/host.log" 2>&1 &
echo $! >"$work/pid"

url="http://127.0.0.1:$port"
call() { "$buf" curl --protocol grpc --http2-prior-knowledge "$@"; }
for _ in $(seq 1 60); do
    if call "$url/grpc.health.v1.Health/Check" 2>/dev/null | grep -q SERVING; then break; fi
    sleep 1
done
call "$url/grpc.health.v1.Health/Check" | grep -q '"SERVING"'
call --list-methods "$url" | grep -q 'hosting.accounts.v1.AccountsService/SignIn'
call -d '{"login":"buf@example.com","password":"violet-harbour-lantern"}' "$url/hosting.accounts.v1.AccountsService/SignUp" | grep -q '"login": "buf@example.com"'
call -d '{"login":"buf@example.com","password":"violet-harbour-lantern"}' "$url/hosting.accounts.v1.AccountsService/SignIn" | grep -q '"sessionToken"'
echo "buf curl lane: health, reflection, SignUp and SignIn answered"
