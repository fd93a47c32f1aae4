#!/usr/bin/env bash
# Starts a real SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd, writing a maildir) and runs
# the tests that send the service's emails through it. Prints dotnet test's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq python3-aiosmtpd >/dev/null
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
mkdir -p "$work/maildir/tmp" "$work/maildir/new" "$work/maildir/cur"
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$work/maildir" >"$work/smtp.log" 2>&1 &
smtp=$!
trap 'kill $smtp 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then break; fi
    sleep 0.2
done

echo "SMTP server (aiosmtpd) on 127.0.0.1:$port"
HOSTING_TEST_SMTP_PORT="$port" HOSTING_TEST_SMTP_MAILDIR="$work/maildir" \
    dotnet test --no-build --filter "FullyQualifiedName~SmtpLane"
