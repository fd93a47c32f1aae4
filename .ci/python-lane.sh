#!/usr/bin/env bash
# Builds and starts the host as the README says, on a throwaway data folder and a free port, and runs
# the Python client journey of samples/python against it, with Debian's python3-grpcio and
# python3-grpc-tools (stubs generated from protos/ at run time, nothing from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's interpreter, whatever python3 comes first on PATH: the packages are installed for it.
python=/usr/bin/python3
if ! "$python" -c 'import grpc, grpc_tools.protoc, google.protobuf' 2>/dev/null; then
    apt-get install -y -qq python3-grpcio python3-grpc-tools >/dev/null \
        || { apt-get update -qq && apt-get install -y -qq python3-grpcio python3-grpc-tools >/dev/null; }
fi

dotnet build src/GrpcHost --nologo -v quiet

work=$(mktemp -d)
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

# Emails go to a pickup folder, where the journey reads the login code as a person reads their mail.
dotnet run --project src/GrpcHost --no-build -- --urls "http://127.0.0.1:$port" \
    "--Storage:ConnectionString=Data Source=$work/hosting.db" \
    --Notifications:Sender=Pickup "--Notifications:Pickup:Directory=$work/pickup" --Notifications:PollInterval=00:00:00.200 \
    >"$work/host.log" 2>&1 &
echo $! >"$work/pid"

if ! HOSTING_ADDRESS="127.0.0.1:$port" HOSTING_PICKUP_DIR="$work/pickup" "$python" samples/python/journey.py; then
    echo "== host log"
    cat "$work/host.log"
    exit 1
fi
echo "python lane: journey passed"
