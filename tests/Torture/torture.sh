#!/usr/bin/env bash
# The Torture target (`dotnet cake --target=Torture`): the model-based concurrency tests at long
# iteration counts on SQLite and PostgreSQL, the RPC fuzz at depth, the crash campaign on both
# stores, and coverage-guided fuzzing of the parsers with afl++ (tests/Fuzz/fuzz.sh); writes the
# figures to docs/reliability.md between the torture and parsers markers.
# Bounded: each part has its own timeout and the whole run stops at TORTURE_MINUTES (60).
# Starts a throwaway PostgreSQL as .ci/postgres-lane.sh does unless HOSTING_TEST_POSTGRES names one
# (needs root then); without PostgreSQL the PostgreSQL halves are reported as skipped.
# Shorter runs: TORTURE_MODEL_ITERATIONS, TORTURE_FUZZ_REQUESTS, TORTURE_CRASH_POINTS, TORTURE_PARSER_EXECS.
set -uo pipefail
cd "$(dirname "$0")/../.."

model_iterations=${TORTURE_MODEL_ITERATIONS:-100}
fuzz_requests=${TORTURE_FUZZ_REQUESTS:-1000}
crash_points=${TORTURE_CRASH_POINTS:-21}
parser_execs=${TORTURE_PARSER_EXECS:-1000000}
minutes=${TORTURE_MINUTES:-60}
deadline=$(( $(date +%s) + minutes * 60 ))
work=$(mktemp -d)
export HOSTING_TORTURE_FIGURES="$work/figures.txt"
: > "$HOSTING_TORTURE_FIGURES"

if [ -z "${HOSTING_TEST_POSTGRES:-}" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    pgbin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    chmod 755 "$work"
    install -d -o postgres -g postgres -m 700 "$work/data" "$work/sock"
    runuser -u postgres -- "$pgbin/initdb" -D "$work/data" -U postgres -A trust --no-sync >/dev/null
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/data" -l "$work/data/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $work/sock -c max_connections=300 -c fsync=off" start >/dev/null
    trap 'runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
    export HOSTING_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres"
    echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
else
    trap 'rm -rf "$work"' EXIT
fi

dotnet build tests/Hosting.Tests >/dev/null || { echo "build failed"; exit 1; }

# step NAME SHARE-OF-REMAINING-MINUTES ENVIRONMENT... -- FILTER: runs one part within its time.
status=0
step() {
    local name=$1 cap=$2 filter=$3; shift 3
    local left=$(( deadline - $(date +%s) ))
    local limit=$(( cap * 60 < left ? cap * 60 : left ))
    if [ "$limit" -le 30 ]; then
        echo "step $name - 0 not run: out of time" >> "$HOSTING_TORTURE_FIGURES"
        status=1
        return
    fi
    echo "== $name (at most $((limit / 60)) min): $* dotnet test --filter \"$filter\""
    local start=$(date +%s)
    env "$@" timeout "$limit" dotnet test tests/Hosting.Tests --no-build --filter "$filter" > "$work/$name.log" 2>&1
    local code=$?
    # The summary, and on failure what failed (CsCheck prints the shrunk history and its seed).
    grep -E "Passed!|Failed!|\[FAIL\]|Error Message|CsCheck|Sequential|Parallel Op|Final state|Linearized|seed [0-9]+ \(" "$work/$name.log" | cut -c1-2000
    [ "$code" = 0 ] || cp "$work/$name.log" "${TMPDIR:-/tmp}/torture-$name.log"
    echo "step $name $code $(( $(date +%s) - start )) $* dotnet test tests/Hosting.Tests --filter \"$filter\"" >> "$HOSTING_TORTURE_FIGURES"
    [ "$code" = 0 ] || status=1
}

# The parsers: afl-fuzz per target, two at a time (one a core), each to parser_execs executions or its
# share of the step's minutes left after the build and instrumentation.
parsers() {
    local cap=$1 left=$(( deadline - $(date +%s) ))
    local limit=$(( cap * 60 < left ? cap * 60 : left ))
    if [ "$limit" -le 120 ]; then
        echo "step parsers - 0 not run: out of time" >> "$HOSTING_TORTURE_FIGURES"
        status=1
        return
    fi
    echo "== parsers (at most $((limit / 60)) min): FUZZ_EXECS=$parser_execs tests/Fuzz/fuzz.sh"
    local start=$(date +%s)
    FUZZ_EXECS="$parser_execs" FUZZ_DEADLINE=$(( start + limit )) FUZZ_JOBS=2 timeout "$limit" tests/Fuzz/fuzz.sh "$HOSTING_TORTURE_FIGURES" > "$work/parsers.log" 2>&1
    local code=$?
    cat "$work/parsers.log"
    [ "$code" = 0 ] || cp "$work/parsers.log" "${TMPDIR:-/tmp}/torture-parsers.log"
    echo "step parsers $code $(( $(date +%s) - start )) FUZZ_EXECS=$parser_execs FUZZ_JOBS=2 tests/Fuzz/fuzz.sh" >> "$HOSTING_TORTURE_FIGURES"
    [ "$code" = 0 ] || status=1
}

# Caps in minutes, 60 in all: the parsers first (short, and needing no store), then the rest.
parsers 8
step models 18 "FullyQualifiedName~Hosting.Tests.Model." HOSTING_MODEL_ITERATIONS="$model_iterations" HOSTING_MODEL_CONFLICTING_REUSE=1
step fuzz 12 "FullyQualifiedName~Grpc.FuzzTests" HOSTING_FUZZ_REQUESTS="$fuzz_requests"
step crash 22 "FullyQualifiedName~CrashCampaignTests|FullyQualifiedName~CrashSafetyTests" HOSTING_CRASH_POINTS="$crash_points"

python3 tests/Torture/report.py "$HOSTING_TORTURE_FIGURES" docs/reliability.md "$model_iterations" "$fuzz_requests" "$crash_points" "${TORTURE_LABEL:-}"
exit $status
