#!/usr/bin/env bash
# Runs docs/getting-started.md as written: every ```sh block in order in one shell, each ```sh host
# block as the (re)start of the host. Only what a machine must change is changed: free ports in
# place of 50051/50052, a throwaway folder for the database, the mail and the PDF. A step that
# fails, or an outcome missing at the end, fails the lane.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
json_port=$(free_port)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

# The Python sample's packages come from Debian, as samples/python/README.md says.
if ! /usr/bin/python3 -c 'import grpc, grpc_tools.protoc' 2>/dev/null; then
    apt-get install -y -qq python3-grpcio python3-grpc-tools >/dev/null \
        || { apt-get update -qq && apt-get install -y -qq python3-grpcio python3-grpc-tools >/dev/null; }
fi
# Built first, so that the guide's `dotnet run` only checks it is up to date.
dotnet build src/GrpcHost -v q --nologo >/dev/null

# The guide as one script; its text is the only source of the commands.
python3 - "$work" "$port" "$json_port" >"$work/guide.sh" <<'PY'
import re, sys
work, port, json_port = sys.argv[1:]
text = open("docs/getting-started.md", encoding="utf-8").read()
def local(s):
    return (s.replace("127.0.0.1:50051", f"127.0.0.1:{port}").replace("127.0.0.1:50052", f"127.0.0.1:{json_port}")
             .replace("$PWD/mail", f"{work}/mail").replace("invoice.pdf", f"{work}/invoice.pdf"))
# As an interactive shell runs them: a failing command stops the guide, a pipe answers for its last command.
out = ["set -eu", f"source {work}/lib.sh"]
blocks = re.findall(r"^```(sh(?: host)?)\n(.*?)^```", text, re.S | re.M)
if sum(1 for kind, _ in blocks if kind == "sh host") < 1:
    sys.exit("docs/getting-started.md has no ```sh host block")
for kind, body in blocks:
    if kind == "sh host":
        command = " ".join(line.rstrip("\\").strip() for line in body.strip().splitlines())
        if not command.startswith("dotnet run --project src/GrpcHost --"):
            sys.exit("a ```sh host block must be the README's dotnet run command: " + command)
        out.append(f'echo "+ (host) {local(command)}"')
        out.append(f'start_host {local(command)} "--Storage:ConnectionString=Data Source={work}/hosting.db" '
                   f'--urls http://127.0.0.1:{port} --JsonTranscoding:Url=http://127.0.0.1:{json_port}')
    else:
        out.append("set -x")
        out.append(local(body))
        out.append("set +x")
print("\n".join(out))
PY

# Stops the running host (as Ctrl+C would) and starts the guide's command, then waits until it serves.
cat >"$work/lib.sh" <<LIB
start_host() {
    if [ -s "$work/pid" ]; then kill "\$(cat "$work/pid")" 2>/dev/null || true; while kill -0 "\$(cat "$work/pid")" 2>/dev/null; do sleep 0.2; done; fi
    "\$@" >>"$work/host.log" 2>&1 &
    echo \$! >"$work/pid"
    for _ in \$(seq 1 120); do
        if [[ "\$(buf curl --protocol grpc --http2-prior-knowledge "http://127.0.0.1:$port/grpc.health.v1.Health/Check" 2>/dev/null)" == *'"SERVING"'* ]]; then return 0; fi
        sleep 0.5
    done
    echo "the host did not start"; cat "$work/host.log"; return 1
}
LIB

expect() { # expect PATTERN OUTPUT
    if ! grep -q -- "$1" <<<"$2"; then echo "expected $1 in: $2"; cat "$work/host.log"; exit 1; fi
}

bash "$work/guide.sh" 2>&1 | tee "$work/guide.log"
if [ "${PIPESTATUS[0]}" -ne 0 ]; then echo "a step of docs/getting-started.md failed"; cat "$work/host.log"; exit 1; fi
output=$(cat "$work/guide.log")
# What each part of the guide is for, seen in its output.
expect 'The hosting accounts service listens:' "$(cat "$work/host.log")"
expect "Files: one .eml per email in $work/mail" "$(cat "$work/host.log")"
expect '"loginConfirmed": *true' "$output"
expect 'bob@example.com' "$output"
expect 'google.rpc.ErrorInfo {"reason":"PASSWORD_REQUIRED"' "$output"
expect '"fieldViolations":\[{"field":"password"' "$output"
expect 'PASSWORD_TOO_COMMON' "$output"
expect 'journey passed' "$output"
[ "$(head -c 5 "$work/invoice.pdf")" = "%PDF-" ] || { echo "no invoice PDF"; exit 1; }
ls "$work"/mail/*.eml >/dev/null
echo "getting-started lane: every step of docs/getting-started.md ran as written"
