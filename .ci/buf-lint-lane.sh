#!/usr/bin/env bash
# The protos as a public API: `buf lint` (STANDARD), `buf format` clean, and no breaking change
# against main (`buf breaking`, FILE rules). buf comes from the npm package @bufbuild/buf.
set -euo pipefail
cd "$(dirname "$0")/.."

tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
(cd "$tools" && npm init -y >/dev/null && npm install --no-audit --no-fund @bufbuild/buf@1.75.0 >/dev/null 2>&1)
buf="$tools/node_modules/.bin/buf"

"$buf" lint
"$buf" format -d --exit-code --exclude-path protos/google
if git rev-parse --verify -q main >/dev/null; then
    "$buf" breaking --against '.git#branch=main'
fi
python3 docs/generate-api.py --check
echo "buf lane: lint, format, breaking and API reference checks passed"
