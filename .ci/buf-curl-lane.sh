#!/usr/bin/env bash
# Starts the host as the README says, on a throwaway data folder and ports, calls health, SignUp
# and SignIn with `buf curl` through server reflection alone (no proto files given), and the same
# service with plain `curl` through HTTP/JSON transcoding. An error's google.rpc details: reflection
# serves their types, and samples/decode-details.sh shows them as JSON (buf curl prints base64).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
port=${BUF_LANE_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

if [ ! -x "$work/tools/node_modules/.bin/buf" ]; then
    (cd "$work" && mkdir -p tools && cd tools && npm init -y >/dev/null && npm install --no-audit --no-fund @bufbuild/buf@1.75.0 >/dev/null)
fi
buf="$work/tools/node_modules/.bin/buf"

json_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Built first, so that a fresh clone passes too and the wait below is for the host, not the compiler.
dotnet build src/GrpcHost -v q --nologo
dotnet run --project src/GrpcHost --no-build -- --urls "http://127.0.0.1:$port" "--JsonTranscoding:Url=http://127.0.0.1:$json_port" \
    "--Storage:ConnectionString=Data Source=$work/hosting.db" >"$work/host.log" 2>&1 &
echo $! >"$work/pid"

url="http://127.0.0.1:$port"
call() { "$buf" curl --protocol grpc --http2-prior-knowledge "$@"; }
for _ in $(seq 1 60); do
    if [[ "$(call "$url/grpc.health.v1.Health/Check" 2>/dev/null)" == *SERVING* ]]; then break; fi
    sleep 1
done
# Each answer is kept whole before grep reads it: `grep -q` closing the pipe early would fail the lane.
expect() { # expect PATTERN OUTPUT
    if ! grep -q -- "$1" <<<"$2"; then echo "expected $1 in: $2"; cat "$work/host.log"; exit 1; fi
}
expect '"SERVING"' "$(call "$url/grpc.health.v1.Health/Check")"
expect 'hosting.accounts.v1.AccountsService/SignIn' "$(call --list-methods "$url")"
expect '"login": "buf@example.com"' "$(call -d '{"login":"buf@example.com","password":"violet-harbour-lantern"}' "$url/hosting.accounts.v1.AccountsService/SignUp")"
expect '"sessionToken"' "$(call -d '{"login":"buf@example.com","password":"violet-harbour-lantern"}' "$url/hosting.accounts.v1.AccountsService/SignIn")"
# Reflection names the error detail types, for clients that decode Any through it (grpcurl, grpcui, Postman).
expect '"fileDescriptorProto"' "$(call -d '{"fileContainingSymbol":"google.rpc.ErrorInfo"}' "$url/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")"
expect '"fileDescriptorProto"' "$(call -d '{"fileContainingSymbol":"google.rpc.BadRequest"}' "$url/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")"
# A sign-up without a password: its reason and field violation, decoded as the README shows.
error=$(call -d '{"login":"empty@example.com","password":""}' "$url/hosting.accounts.v1.AccountsService/SignUp" 2>&1 >/dev/null || true)
expect '"invalid_argument"' "$error"
details=$(BUF="$buf" samples/decode-details.sh <<<"$error")
expect 'google.rpc.ErrorInfo {"reason":"PASSWORD_REQUIRED"' "$details"
expect '"fieldViolations":\[{"field":"password"' "$details"
json="http://127.0.0.1:$json_port"
expect '"sessionToken"' "$(curl -s -X POST "$json/v1/accounts:signIn" -H 'content-type: application/json' -d '{"login":"buf@example.com","password":"violet-harbour-lantern"}')"
expect 'PASSWORD_TOO_COMMON' "$(curl -s -X POST "$json/v1/accounts:signUp" -H 'content-type: application/json' -d '{"login":"json@example.com","password":"password1"}')"
echo "buf curl lane: health, reflection (error detail types too), SignUp and SignIn answered over gRPC, an error decoded to its reason and field, and HTTP/JSON with curl"
