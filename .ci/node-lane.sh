#!/usr/bin/env bash
# Starts the host as the README says, on a throwaway data folder and a free port, and runs the
# Node.js client journey of samples/node against it (@grpc/grpc-js from npm).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

events_key=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
(cd samples/node && npm ci --no-audit --no-fund >/dev/null 2>&1)
# Emails go to a pickup folder, where the journey reads login codes as a person reads their mail.
# Built first, so that a fresh clone passes too and the wait below is for the host, not the compiler.
dotnet build src/GrpcHost -v q --nologo
dotnet run --project src/GrpcHost --no-build -- --urls "http://127.0.0.1:$port" \
    "--Storage:ConnectionString=Data Source=$work/hosting.db" \
    --Notifications:Sender=Pickup "--Notifications:Pickup:Directory=$work/pickup" --Notifications:PollInterval=00:00:00.200 \
    --ApiKeys:Keys:0:Name=provisioning "--ApiKeys:Keys:0:Key=$events_key" --ApiKeys:Keys:0:Scopes:0=events \
    --Events:HeartbeatInterval=00:00:01 --Events:PollInterval=00:00:00.200 >"$work/host.log" 2>&1 &
echo $! >"$work/pid"

if ! HOSTING_ADDRESS="127.0.0.1:$port" HOSTING_PICKUP_DIR="$work/pickup" node samples/node/journey.js; then
    cat "$work/host.log"
    exit 1
fi
# A provisioning system follows the feed of what the journey changed, dropping its connection once.
if ! HOSTING_ADDRESS="127.0.0.1:$port" HOSTING_EVENTS_KEY="$events_key" HOSTING_CURSOR_FILE="$work/cursor" HOSTING_EXIT_WHEN_CAUGHT_UP=1 \
    node samples/node/events-consumer.js; then
    cat "$work/host.log"
    exit 1
fi
echo "node lane: journey and events consumer passed"
