#!/usr/bin/env bash
# Coverage-guided fuzzing of the hand-written parsers with afl++ and SharpFuzz (a Torture step; not
# part of .ci/run). Builds tests/Fuzz in Release, instruments a copy of its output with the
# sharpfuzz tool, then runs afl-fuzz per target, FUZZ_JOBS at a time, until FUZZ_EXECS executions or
# FUZZ_SECONDS (the time cap per target). FUZZ_DEADLINE (epoch seconds, from Torture) shortens that
# cap so that every target gets its share of the time left after the build.
# Prints one line per target, and appends it to FIGURES when given (Torture's figures file):
#   parser TARGET EXECUTIONS CRASHES HANGS SECONDS COMMAND...
# FUZZ_REPORT=1 writes the table into docs/reliability.md (tests/Torture/report.py --parsers), with FUZZ_LABEL.
# Crashing and hanging inputs are copied to ${TMPDIR:-/tmp}/fuzz-findings/TARGET; replay one with
#   dotnet tests/Fuzz/bin/Release/net10.0/Hosting.Fuzz.dll TARGET FILE
# FUZZ_KEEP=1 adds up to FUZZ_KEEP_MAX (50) of afl's coverage-increasing inputs per target to tests/Fuzz/corpus.
set -uo pipefail
cd "$(dirname "$0")/../.."

figures=${1:-}
execs=${FUZZ_EXECS:-1000000}
cap=${FUZZ_SECONDS:-600}
jobs=${FUZZ_JOBS:-2}
targets=${FUZZ_TARGETS:-logo phc iban page-token resource-name contact-details}
keep_max=${FUZZ_KEEP_MAX:-50}
findings=${TMPDIR:-/tmp}/fuzz-findings

if ! command -v afl-fuzz >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y afl++ >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y afl++ >/dev/null 2>&1; }
    fi
    command -v afl-fuzz >/dev/null || { echo "afl-fuzz is not installed (apt-get install afl++)"; exit 1; }
fi

work=$(mktemp -d)
# The fuzzers run in the background: stopped with the script (Torture's timeout), never left behind.
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
[ -n "$figures" ] || figures="$work/figures.txt"

dotnet build tests/Fuzz -c Release >/dev/null || { echo "build failed"; exit 1; }
dotnet tool restore >/dev/null || { echo "dotnet tool restore failed"; exit 1; }
# Instrument a copy: the build's own output stays as it was.
cp -r tests/Fuzz/bin/Release/net10.0 "$work/bin"
dotnet tool run sharpfuzz "$work/bin/Hosting.Core.dll" >/dev/null || { echo "instrumenting Hosting.Core failed"; exit 1; }
dotnet tool run sharpfuzz "$work/bin/Hosting.GrpcHost.dll" Hosting.GrpcHost.Services.ResourceNames >/dev/null \
    || { echo "instrumenting Hosting.GrpcHost failed"; exit 1; }

if [ -n "${FUZZ_DEADLINE:-}" ]; then
    count=$(echo $targets | wc -w)
    rounds=$(( (count + jobs - 1) / jobs ))
    share=$(( (FUZZ_DEADLINE - $(date +%s)) / rounds - 20 ))
    [ "$share" -lt "$cap" ] && cap=$share
    [ "$cap" -ge 10 ] || { echo "no time left to fuzz"; exit 1; }
fi

# The container has no CPU governor to read, no core_pattern to set and no terminal.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
    AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=120000 AFL_FAST_CAL=1 DOTNET_TieredPGO=0

afl_stat() { # afl_stat FILE KEY: a value of afl's fuzzer_stats
    awk -F' *: *' -v k="$2" '$1 == k {print $2}' "$1" 2>/dev/null
}

fuzz() { # fuzz TARGET: one afl-fuzz run; prints the figures line
    local target=$1 out="$work/out/$1" start
    mkdir -p "$out"
    start=$(date +%s)
    # -t 5000: a hang is an execution over 5 s; -m none: the .NET runtime reserves far more address space than afl's default.
    local cmd=(afl-fuzz -i "tests/Fuzz/corpus/$target" -o "$out" -m none -t 5000 -E "$execs" -V "$cap" -- "$work/bin/Hosting.Fuzz" "$target")
    timeout $((cap + 120)) "${cmd[@]}" > "$work/$target.log" 2>&1
    local code=$? stats="$out/default/fuzzer_stats"
    local done crashes hangs
    done=$(afl_stat "$stats" execs_done); crashes=$(afl_stat "$stats" saved_crashes); hangs=$(afl_stat "$stats" saved_hangs)
    if [ -z "$done" ]; then
        echo "afl-fuzz $target failed to start (exit $code):" >&2
        tail -n 30 "$work/$target.log" >&2
        done=0; crashes=-; hangs=-
    fi
    for kind in crashes hangs; do
        if ls "$out/default/$kind"/id:* >/dev/null 2>&1; then
            mkdir -p "$findings/$target"
            cp "$out/default/$kind"/id:* "$findings/$target/"
        fi
    done
    if [ "${FUZZ_KEEP:-0}" = 1 ]; then
        local have
        have=$(find "tests/Fuzz/corpus/$target" -type f | wc -l)
        # afl's queue holds the inputs that found new coverage; the smallest ones first.
        find "$out/default/queue" -maxdepth 1 -type f -name 'id:*' ! -name '*orig:*' -printf '%s %p\n' 2>/dev/null | sort -n \
            | head -n $(( keep_max > have ? keep_max - have : 0 )) | while read -r _ file; do
                cp "$file" "tests/Fuzz/corpus/$target/afl-$(basename "$file" | cut -c4-9)"
            done
    fi
    echo "parser $target $done $crashes $hangs $(( $(date +%s) - start )) afl-fuzz -i tests/Fuzz/corpus/$target -m none -t 5000 -E $execs -V $cap -- Hosting.Fuzz $target"
}

mkdir -p "$work/out"
running=0
for target in $targets; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
    fuzz "$target" > "$work/$target.line" &
    running=$((running + 1))
done
wait

status=0
for target in $targets; do
    line=$(cat "$work/$target.line")
    echo "$line" | tee -a "$figures"
    read -r _ _ done crashes hangs _ <<< "$line"
    if [ "$crashes" != 0 ] || [ "$hangs" != 0 ] || [ "$done" -lt "$execs" ]; then
        status=1
    fi
done
[ -d "$findings" ] && echo "findings: $findings"
if [ "${FUZZ_REPORT:-0}" = 1 ]; then
    python3 tests/Torture/report.py --parsers "$figures" docs/reliability.md "${FUZZ_LABEL:-}" >/dev/null
fi
exit $status
