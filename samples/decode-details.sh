#!/usr/bin/env bash
# Prints the google.rpc details of an error that `buf curl` wrote, each decoded as JSON:
#   buf curl ... 2>&1 >/dev/null | samples/decode-details.sh
# buf curl shows details in base64 whatever the server's reflection serves: it decodes only the types
# compiled into buf itself, and google/rpc/error_details.proto is not among them. The vendored
# protos/google/rpc files decode them with `buf convert`. Set BUF to buf's path if it is not on PATH.
set -euo pipefail
buf=${BUF:-buf}
protos="$(cd "$(dirname "$0")/.." && pwd)/protos"
python3 -c '
import base64, json, sys
error = json.load(sys.stdin)
print("code", error.get("code", ""), error.get("message", ""))
for detail in error.get("details", []):
    value = detail["value"] + "=" * (-len(detail["value"]) % 4)
    print(detail["type"], base64.b64encode(base64.b64decode(value)).decode())
' | while read -r type value; do
    if [ "$type" = code ]; then echo "$type $value"; continue; fi
    printf '%s ' "$type"
    printf '%s' "$value" | base64 -d | "$buf" convert "$protos" --type "$type" --from -#format=binpb --to -#format=json
    echo
done
